#!/bin/sh
# SPDX-License-Identifier: ISC
# peers.sh - run bench/peers.py: mxaudit, sslscan and testssl.sh side by
# side on the lab. Installs the two peers (Debian packages) when missing.
# Usage: bench/peers.sh BUILD_DIR [--runs N] [--no-testssl]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
build=$(cd "${1:?usage: peers.sh BUILD_DIR [--runs N] [--no-testssl]}" && pwd -P)
shift
for p in sslscan testssl.sh; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' ||
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
"$top/tests/lab/lab.sh" start "$build" >/dev/null
exec /usr/bin/python3 "$top/bench/peers.py" "$build" "$@"
