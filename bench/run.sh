#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh - benchmark "mxaudit scan" on 1,000 lab domains.
#
# Usage: bench/run.sh BUILD_DIR [extra scan options...]
#
# The lab serves bench.test: d0000.bench.test ... d0999.bench.test, each
# with its own MX name (so every domain costs its own SMTP conversation and
# TLS handshake: nothing is shared), spread round-robin over the lab's
# Postfix listeners 127.0.0.10-14. The scan runs with --concurrency 200;
# bench/scan_bench.py reports domains/second, peak RSS and the outcome.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd -P)
shift
"$top/tests/lab/lab.sh" start "$build" >/dev/null
exec /usr/bin/python3 "$top/bench/scan_bench.py" "$build" "$@"
