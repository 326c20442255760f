#!/bin/sh
# SPDX-License-Identifier: ISC
# deps.sh - install the Debian packages mxaudit builds, tests and runs its
# lab with. Installs only what is missing; needs root (or sudo) for that.
set -eu

PKGS="build-essential clang cmake pkg-config libevent-dev libunbound-dev
libssl-dev libjansson-dev libcmocka-dev libclang-rt-14-dev dns-root-data
ca-certificates openssl postfix nsd unbound nginx-light bind9-utils bind9-dnsutils iproute2
python3 python3-jsonschema clang-format libyaml-dev libpsl-dev publicsuffix
libcurl4-openssl-dev libsqlite3-dev libidn2-dev chromium"
# The lab's legacy TLS servers (tests/lab/README.md): the JSSE server of
# sslv3.test (java, javac), the GnuTLS client that checks weakcipher.test
# (gnutls-cli), and the run-time libraries of exim4-daemon-light, which
# lab.sh fetches with "apt-get download" and unpacks (it conflicts with
# postfix, so it is never installed; libidn12 is the one a Debian 12
# with the packages above lacks).
PKGS="$PKGS openjdk-17-jdk-headless gnutls-bin libidn12 libidn2-0 libgnutls30
libgnutls-dane0 libdb5.3 libnsl2 libpcre2-8-0 libcrypt1"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
# Packaged daemons must not start on the default ports: the lab runs its
# own instances. policy-rc.d tells invoke-rc.d to leave them alone.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	remove_policy=1
fi
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections
$SUDO apt-get update -qq || true
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends $missing
if [ "${remove_policy:-0}" = 1 ]; then
	# keep it: a later install must not start the daemons either
	:
fi
