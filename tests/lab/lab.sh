#!/bin/bash
# SPDX-License-Identifier: ISC
#
# lab.sh: start and stop the mxaudit test lab (nsd, unbound, Postfix and
# lab-hostile on loopback, with a private CA and a DNSSEC-signed zone).
#
# Usage: lab.sh start|stop|restart|status|env BUILD_DIR
#
# All run state lives in BUILD_DIR/lab ($LAB). Needs root (ports 25, 53).
# See tests/lab/README.md for the scenario table.

set -eu
umask 022
export LC_ALL=C

# Close descriptors inherited from the caller (a ctest or make pipe, a
# jobserver): the daemons started here must not keep them open.
for fd in "/proc/$$/fd"/*; do
	fd=${fd##*/}
	case $fd in
	0|1|2|255|*[!0-9]*) ;;
	*) eval "exec $fd>&-" 2>/dev/null || true ;;
	esac
done
unset fd

prog=lab.sh
SRC=$(cd "$(dirname "$0")" && pwd -P)

NS_ADDR=127.0.2.1
RESOLVER_ADDR=127.0.2.2
PF_ADDRS="127.0.0.10 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14 ::1 127.0.0.30 127.0.0.34 127.0.0.35"
HOSTILE_ADDRS="127.0.0.21 127.0.0.22 127.0.0.23 127.0.0.24 127.0.0.25 127.0.0.26 127.0.0.27 127.0.0.28 127.0.0.29 127.0.0.33
127.0.0.50 127.0.0.51 127.0.0.52 127.0.0.53 127.0.0.54 127.0.0.55 127.0.0.56"
# lab-hostile endlesshttp on port 80, nginx (TLS) in front of it on 443:
# the MTA-STS policy host of stsendless.hostile.test (test_hostile.py)
HOSTILE_HTTP_ADDR=127.0.0.58
EXIM_ADDR=127.0.0.31
# nginx: the MTA-STS policy hosts of these lab domains (DOMAIN.test), all
# on one address, told apart by SNI/Host (zones/test.zone.in)
STS_ADDR=127.0.0.40
# nginx: the web sites of the web checks (webDOMAIN.test), and one
# address that serves plain HTTP only
WEB_ADDR=127.0.0.41
WEB_PLAIN_ADDR=127.0.0.42
WEB_NAMES="webnoredirect webgood webchain webhstsshort webwww webdowngrade
webexternal"
STS_DOMAINS="stsgood stswild stsnotcovered ststesting sts404 stsredirect
stsnotxt stsbadmx stsshort stsinvalid stsctype stsbig stsbadtxt"
JSSE_ADDR=127.0.0.32
# Postfix on 127.0.0.10 also listens on 465 (implicit TLS) and 587.
PF_EXTRA_PORTS="127.0.0.10:465 127.0.0.10:587"
REFUSED_ADDR=127.0.0.20
# Java options of the JSSE server (full JIT: after its first burst it
# serves handshakes some three times faster than with C1 alone; an IPv4
# socket, which ss shows as 127.0.0.32:25, not [::ffff:127.0.0.32]:25) and
# of the checker (short-lived: C1 only starts faster).
JAVA_SERVER_OPTS="-XX:+UseSerialGC -XX:-UsePerfData -Xmx256m
-Djava.net.preferIPv4Stack=true"
JAVA_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xmx128m"

die() {
	echo "$prog: error: $*" >&2
	exit 1
}

note() {
	echo "$prog: $*"
}

usage() {
	echo "usage: $prog start|stop|restart|status|env BUILD_DIR" >&2
	exit 2
}

# Last lines of a log file, indented, for error messages.
logtail() {
	if [ -s "$1" ]; then
		echo "--- last lines of $1:"
		tail -n 15 "$1" | sed 's/^/    /'
	fi
}

# Set the state paths from an absolute BUILD_DIR.
set_paths() {
	LAB=$1/lab
	CA=$LAB/ca
	DNS=$LAB/dns
	PFX=$LAB/postfix
	PFETC=$PFX/etc
	HOST=$LAB/hostile
	EXIM=$LAB/exim
	JSSE=$LAB/jsse
	# Kept across starts (start removes $LAB): the unpacked Exim .deb
	# and the compiled Java classes.
	CACHE=$1/lab-cache
}

# Copy a template to a file, replacing @NAME@ by the given values.
# Usage: render TEMPLATE OUT NAME=VALUE...
render() {
	local in=$1 out=$2 kv name val script=""
	shift 2
	for kv in "$@"; do
		name=${kv%%=*}
		val=${kv#*=}
		val=$(printf '%s' "$val" | sed 's/[\\|&]/\\&/g')
		script="$script;s|@${name}@|${val}|g"
	done
	sed -e "${script#;}" "$in" >"$out.tmp"
	if grep -q '@[A-Z_]*@' "$out.tmp"; then
		die "render $in: unreplaced placeholder: $(grep -o '@[A-Z_]*@' "$out.tmp" | head -n 1)"
	fi
	mv "$out.tmp" "$out"
}

# Run "$@" until it succeeds or SECONDS_MAX (first arg) pass.
wait_for() {
	local max=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt $((max * 20)) ] || return 1
		sleep 0.05
	done
}

# The pid in a pidfile (Postfix pads it with blanks).
pidof_file() {
	local pid=""
	read -r pid <"$1" 2>/dev/null || true
	echo "${pid%%[!0-9]*}"
}

# Does the pid in a pidfile run the program named COMM?
pid_alive() {
	local pidfile=$1 comm=$2 pid stat
	[ -s "$pidfile" ] || return 1
	pid=$(pidof_file "$pidfile")
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	# A zombie is gone (its parent may be slow to reap it).
	case ${stat##*) } in
	Z*|X*) return 1 ;;
	esac
	# Prefix: nsd's pidfile names its "nsd: xfrd" process.
	case $(cat "/proc/$pid/comm" 2>/dev/null) in
	"$comm"*) return 0 ;;
	*) return 1 ;;
	esac
}

pid_gone() {
	! pid_alive "$@"
}

# Stop the process of a pidfile (only if it runs COMM): TERM, then KILL.
stop_pidfile() {
	local pidfile=$1 comm=$2 pid
	if pid_alive "$pidfile" "$comm"; then
		pid=$(pidof_file "$pidfile")
		STOPPED=1
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_for 5 pid_gone "$pidfile" "$comm"; then
			echo "$prog: $comm ($pid) ignored SIGTERM, killing" >&2
			kill -KILL "$pid" 2>/dev/null || true
			wait_for 2 pid_gone "$pidfile" "$comm" || true
		fi
	fi
	rm -f "$pidfile"
}

# Is something listening on ADDR PORT (tcp, or udp with "u")?
listening() {
	local addr=$1 port=$2 proto=${3:-t} want
	case $addr in
	*:*)	want="[$addr]:$port" ;;
	*)	want="$addr:$port" ;;
	esac
	ss -Hln"$proto" 2>/dev/null | awk -v w="$want" '$4 == w { f = 1 } END { exit !f }'
}

# Who listens on the lab's ports (for error messages).
who_listens() {
	ss -Hlntup 2>/dev/null | grep -E "(127\.0\.0\.(1[0-4]|2[0-9]|3[0-5]|5[0-6])|\[::1\]):25 |127\.0\.0\.10:(465|587) |127\.0\.2\.[12]:53 " || true
}

ports_free() {
	local a
	listening "$NS_ADDR" 53 t && return 1
	listening "$NS_ADDR" 53 u && return 1
	listening "$RESOLVER_ADDR" 53 t && return 1
	listening "$RESOLVER_ADDR" 53 u && return 1
	for a in $PF_ADDRS $HOSTILE_ADDRS $EXIM_ADDR $JSSE_ADDR $REFUSED_ADDR; do
		listening "$a" 25 t && return 1
	done
	for a in $PF_EXTRA_PORTS; do
		listening "${a%:*}" "${a##*:}" t && return 1
	done
	return 0
}

# ---------------------------------------------------------------- stop

do_stop() {
	[ -d "$LAB" ] || return 0
	STOPPED=""
	stop_pidfile "$HOST/hostile.pid" lab-hostile
	stop_pidfile "$LAB/nginx/nginx.pid" nginx
	stop_pidfile "$JSSE/jsse.pid" java
	stop_pidfile "$EXIM/exim.pid" exim4
	# What "postfix stop" does (SIGTERM to master, which ends its
	# children), without its one-second polling.
	stop_pidfile "$PFX/queue/pid/master.pid" master
	stop_pidfile "$DNS/unbound.pid" unbound
	stop_pidfile "$DNS/nsd.pid" nsd
	# Postfix children close their copies of the listeners last.
	if [ -n "$STOPPED" ]; then
		wait_for 5 ports_free || true
	fi
}

# ---------------------------------------------------------------- CA

# openssl date N days from now, as GeneralizedTime.
gtime() {
	date -u -d "$1 days" +%Y%m%d%H%M%SZ
}

gen_ca() {
	local start end name pids
	mkdir -p "$CA/db/new"
	: >"$CA/db/index.txt"
	echo 1000 >"$CA/db/serial"
	cat >"$CA/ca.cnf" <<EOF
# Generated by tests/lab/lab.sh: the lab's test CA.
[ ca ]
default_ca = lab_ca

[ lab_ca ]
dir = $CA
database = \$dir/db/index.txt
new_certs_dir = \$dir/db/new
serial = \$dir/db/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = lab_policy
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = no

[ lab_policy ]
organizationName = optional
commonName = supplied

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \$ENV::LAB_SAN

[ selfsigned_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:mx.selfsigned.test
EOF
	export OPENSSL_CONF="$CA/ca.cnf" LAB_SAN=DNS:unused

	# Keys first, in parallel: RSA generation is what takes time.
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$CA/ca.key" 2>>"$CA/openssl.log" &
	pids=$!
	# One key for the four legacy servers' certificates (tls10,
	# weakcipher, sslv3, sslv2): RSA generation is most of the start
	# time on a small machine.
	for name in good ipv6 selfsigned expired wrongname legacy; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "$CA/$name.key" 2>>"$CA/openssl.log" &
		pids="$pids $!"
	done
	# The MTA-STS policy hosts (nginx): P-256 keys, instant to make
	for name in sts stsother web hostile; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$CA/$name.key" 2>>"$CA/openssl.log" &
		pids="$pids $!"
	done
	# weakcert.test: a 1024-bit RSA key (cert-key-weak)
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
	    -out "$CA/weakcert.key" 2>>"$CA/openssl.log" &
	pids="$pids $!"
	# shellcheck disable=SC2086
	wait $pids || true
	for name in ca good ipv6 selfsigned expired wrongname legacy weakcert \
	    sts stsother web hostile; do
		[ -s "$CA/$name.key" ] || die "key generation failed for $name; $(logtail "$CA/openssl.log")"
	done
	for name in tls10 weakcipher sslv3 sslv2 nofs; do
		cp "$CA/legacy.key" "$CA/$name.key"
	done
	chmod 600 "$CA"/*.key

	# Root CA: self-signed through "openssl ca" so it gets a start date
	# before every leaf (a day before now), valid for ten years.
	openssl req -new -key "$CA/ca.key" -subj "/O=mxaudit lab/CN=mxaudit lab CA" \
	    -out "$CA/ca.csr" 2>>"$CA/openssl.log"
	openssl ca -batch -notext -selfsign -keyfile "$CA/ca.key" \
	    -in "$CA/ca.csr" -out "$CA/ca.pem" -extensions ca_ext \
	    -startdate "$(gtime -2)" -enddate "$(gtime 3650)" \
	    >>"$CA/openssl.log" 2>&1 ||
	    die "cannot create the CA; $(logtail "$CA/openssl.log")"

	# CA-signed leaves: NAME SAN START END
	leaf() {
		openssl req -new -key "$CA/$1.key" -subj "/CN=${2%%,*}" \
		    -out "$CA/$1.csr" 2>>"$CA/openssl.log"
		LAB_SAN="DNS:$(printf '%s' "$2" | sed 's/,/,DNS:/g')" \
		    openssl ca -batch -notext -in "$CA/$1.csr" -out "$CA/$1.pem" \
		    -extensions leaf_ext -startdate "$3" -enddate "$4" \
		    >>"$CA/openssl.log" 2>&1 ||
		    die "cannot sign the $1 certificate; $(logtail "$CA/openssl.log")"
	}
	start=$(gtime -1)
	end=$(gtime 365)
	leaf good mx.good.test,mx1.twomx.test,implicit.test,mx.signed.test \
	    "$start" "$end"
	cat "$CA/good.pem" "$CA/ca.pem" >"$CA/good-chain.pem"
	leaf ipv6 mx.ipv6.test "$start" "$end"
	leaf wrongname other.example.test "$start" "$end"
	leaf expired mx.expired.test 20200101000000Z 20210101000000Z
	leaf tls10 mx.tls10.test "$start" "$end"
	leaf weakcipher mx.weakcipher.test "$start" "$end"
	leaf sslv3 mx.sslv3.test "$start" "$end"
	leaf sslv2 mx.sslv2.test "$start" "$end"
	leaf nofs mx.nofs.test "$start" "$end"
	# every MTA-STS policy host but one (stsbadcert.test gets another name)
	# shellcheck disable=SC2086
	leaf sts "$(printf 'mta-sts.%s.test,' $STS_DOMAINS | sed 's/,$//')" \
	    "$start" "$end"
	leaf stsother mta-sts.elsewhere.test "$start" "$end"
	# hostile.test's endless MTA-STS policy host (nginx in front of lab-hostile)
	leaf hostile mta-sts.stsendless.hostile.test "$start" "$end"
	# the web sites: DOMAIN.test and www.DOMAIN.test of each
	leaf web "$(for n in $WEB_NAMES; do printf '%s.test,www.%s.test,' "$n" "$n"; done |
	    sed 's/,$//')" "$start" "$end"
	# weakcert.test: 1024-bit key, signed with SHA-1 (cert-sha1)
	openssl req -new -key "$CA/weakcert.key" -subj "/CN=mx.weakcert.test" \
	    -out "$CA/weakcert.csr" 2>>"$CA/openssl.log"
	LAB_SAN="DNS:mx.weakcert.test" \
	    openssl ca -batch -notext -md sha1 -in "$CA/weakcert.csr" \
	    -out "$CA/weakcert.pem" -extensions leaf_ext -startdate "$start" \
	    -enddate "$end" >>"$CA/openssl.log" 2>&1 ||
	    die "cannot sign the weakcert certificate; $(logtail "$CA/openssl.log")"
	# lab-hostile's SSLv2 SERVER-HELLO carries the certificate in DER
	openssl x509 -in "$CA/sslv2.pem" -outform DER -out "$CA/sslv2.der" \
	    2>>"$CA/openssl.log" ||
	    die "cannot convert the sslv2 certificate to DER; $(logtail "$CA/openssl.log")"
	# The JSSE server's keystore: key, certificate and CA (PKCS#12)
	openssl pkcs12 -export -in "$CA/sslv3.pem" -inkey "$CA/sslv3.key" \
	    -certfile "$CA/ca.pem" -name mx.sslv3.test \
	    -passout pass:lab-jsse -out "$CA/sslv3.p12" 2>>"$CA/openssl.log" ||
	    die "cannot create the sslv3 keystore; $(logtail "$CA/openssl.log")"
	chmod 600 "$CA/sslv3.p12"

	openssl req -new -x509 -key "$CA/selfsigned.key" \
	    -subj "/CN=mx.selfsigned.test" -extensions selfsigned_ext \
	    -days 365 -out "$CA/selfsigned.pem" 2>>"$CA/openssl.log" ||
	    die "cannot create the self-signed certificate; $(logtail "$CA/openssl.log")"
	unset OPENSSL_CONF LAB_SAN
}

# ---------------------------------------------------------------- DNS

# bench.test, for bench/run.sh: d0000 ... d0999, each with an MX name of
# its own (nothing shared between domains), round-robin over the Postfix
# listeners 127.0.0.10-14.
gen_bench_zone() {
	cat <<EOF
\$ORIGIN bench.test.
\$TTL 3600
@	IN SOA	ns.test. hostmaster.test. ( $1 3600 600 86400 60 )
@	IN NS	ns.test.
EOF
	awk 'BEGIN { for (i = 0; i < 1000; i++)
	    printf "d%04d\tIN MX\t10 mx.d%04d.bench.test.\nmx.d%04d\tIN A\t127.0.0.%d\n",
	    i, i, i, 10 + i % 5 }'
}

# hosted.test, for bench/run.sh --set hosted: 100,000 domains
# h000000 ... h099999 hosted on the lab's five Postfix MX hosts (as most
# domains are, on a provider's few MX names), round-robin.
gen_hosted_zone() {
	printf '$ORIGIN hosted.test.\n$TTL 3600\n'
	printf '@\tIN SOA\tns.test. hostmaster.test. ( %s 3600 600 86400 60 )\n' "$1"
	printf '@\tIN NS\tns.test.\n'
	awk 'BEGIN { split("good nostarttls selfsigned expired wrongname", mx, " ");
	    for (i = 0; i < 100000; i++)
	    printf "h%06d\tIN MX\t10 mx.%s.test.\n", i, mx[1 + i % 5] }'
}

gen_dns() {
	local serial ksk ds ee ta flip
	serial=$(date +%s)
	mkdir -p "$DNS/zones" "$DNS/keys" "$DNS/nsd"

	ksk=$(dnssec-keygen -q -K "$DNS/keys" -a ECDSAP256SHA256 -f KSK \
	    -n ZONE signed.test. 2>>"$DNS/dnssec.log") ||
	    die "dnssec-keygen (KSK) failed; $(logtail "$DNS/dnssec.log")"
	dnssec-keygen -q -K "$DNS/keys" -a ECDSAP256SHA256 -n ZONE \
	    signed.test. >/dev/null 2>>"$DNS/dnssec.log" ||
	    die "dnssec-keygen (ZSK) failed; $(logtail "$DNS/dnssec.log")"
	ds=$(dnssec-dsfromkey -2 "$DNS/keys/$ksk.key" 2>>"$DNS/dnssec.log") ||
	    die "dnssec-dsfromkey failed; $(logtail "$DNS/dnssec.log")"

	render "$SRC/zones/root.zone.in" "$DNS/zones/root.zone" SERIAL="$serial"
	render "$SRC/zones/test.zone.in" "$DNS/zones/test.zone" \
	    SERIAL="$serial" SIGNED_DS="$ds"
	# DANE: the TLSA data of this run's good certificate and CA
	ee=$(openssl x509 -in "$CA/good.pem" -pubkey -noout |
	    openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	ta=$(openssl x509 -in "$CA/ca.pem" -outform DER | sha256sum |
	    cut -d' ' -f1)
	[ ${#ee} -eq 64 ] && [ ${#ta} -eq 64 ] ||
	    die "cannot compute the TLSA data from $CA"
	render "$SRC/zones/signed.test.zone.in" "$DNS/zones/signed.test.zone" \
	    SERIAL="$serial" TLSA_EE="3 1 1 $ee" TLSA_EE_REST=" 1 1 $ee" \
	    TLSA_TA="2 0 1 $ta"
	render "$SRC/zones/cyber.dhs.gov.zone.in" \
	    "$DNS/zones/cyber.dhs.gov.zone" SERIAL="$serial"
	cp "$SRC/zones/root.hints.in" "$DNS/root.hints"
	gen_bench_zone "$serial" >"$DNS/zones/bench.test.zone"
	gen_hosted_zone "$serial" >"$DNS/zones/hosted.test.zone"
	render "$SRC/zones/hostile.test.zone.in" "$DNS/zones/hostile.test.zone" \
	    SERIAL="$serial"

	# Signatures from a day ago to a year ahead; the serial is unixtime.
	dnssec-signzone -q -S -K "$DNS/keys" -d "$DNS/keys" -N keep -O full \
	    -o signed.test. -s now-86400 -e now+31536000 \
	    -f "$DNS/zones/signed.test.zone.signed" \
	    "$DNS/zones/signed.test.zone" >>"$DNS/dnssec.log" 2>&1 ||
	    die "dnssec-signzone failed; $(logtail "$DNS/dnssec.log")"
	# bogus.signed.test: change the signed MX, keep its signature
	sed -i 's/^\(bogus\.signed\.test\.[[:space:]].*MX[[:space:]]*\)10 /\120 /' \
	    "$DNS/zones/signed.test.zone.signed"
	grep -q '^bogus\.signed\.test\..*MX[[:space:]]*20 ' \
	    "$DNS/zones/signed.test.zone.signed" ||
	    die "could not alter bogus.signed.test MX after signing"
	# danebogus.signed.test: change the first hex digit of the TLSA data
	# (0 -> 1, anything else -> 0), keep its signature
	case $ee in
	0*) flip=1 ;;
	*) flip=0 ;;
	esac
	sed -i "s/^\(_25\._tcp\.mx\.danebogus\.signed\.test\.[[:space:]].*TLSA[[:space:]]*3 1 1 \)[0-9A-Fa-f]/\1$flip/" \
	    "$DNS/zones/signed.test.zone.signed"
	grep -qi "^_25\._tcp\.mx\.danebogus\.signed\.test\..*TLSA[[:space:]]*3 1 1 $flip" \
	    "$DNS/zones/signed.test.zone.signed" ||
	    die "could not alter the danebogus.signed.test TLSA after signing"

	# Trust anchor for libunbound (ub_ctx_add_ta_file): the DS of the
	# KSK; the DNSKEY form is written next to it.
	{
		echo "; Trust anchor for signed.test. (mxaudit lab, $(date -u +%FT%TZ))"
		echo "$ds"
	} >"$DNS/trust-anchor.key"
	grep -v '^;' "$DNS/keys/$ksk.key" >"$DNS/trust-anchor.dnskey"
	# The same for BIND's delv (named.conf syntax), used by check_dns.
	printf '%s\n' "$ds" | awk '{ printf "trust-anchors {\n\t%s static-ds %s %s %s \"%s\";\n};\n",
	    $1, $4, $5, $6, $7 }' >"$DNS/trust-anchor.delv"
	# What libunbound needs for the lab, as a file for ub_ctx_config().
	# Note "test." is one of libunbound's default local zones too.
	cat >"$DNS/libunbound.conf" <<EOF
# Generated by tests/lab/lab.sh: libunbound settings for the lab.
server:
	local-zone: "test." nodefault
	trust-anchor-file: "$DNS/trust-anchor.key"
forward-zone:
	name: "."
	forward-addr: $RESOLVER_ADDR
EOF

	render "$SRC/zones/nsd.conf.in" "$DNS/nsd.conf" DNS="$DNS"
	render "$SRC/zones/unbound.conf.in" "$DNS/unbound.conf" DNS="$DNS"

	nsd-checkconf "$DNS/nsd.conf" >>"$DNS/check.log" 2>&1 ||
	    die "nsd-checkconf failed; $(logtail "$DNS/check.log")"
	if ! { nsd-checkzone . "$DNS/zones/root.zone" &&
	    nsd-checkzone test. "$DNS/zones/test.zone" &&
	    nsd-checkzone signed.test. "$DNS/zones/signed.test.zone.signed" &&
	    nsd-checkzone bench.test. "$DNS/zones/bench.test.zone" &&
	    nsd-checkzone hosted.test. "$DNS/zones/hosted.test.zone" &&
	    nsd-checkzone hostile.test. "$DNS/zones/hostile.test.zone" &&
	    nsd-checkzone cyber.dhs.gov. "$DNS/zones/cyber.dhs.gov.zone"; } \
	    >>"$DNS/check.log" 2>&1; then
		die "nsd-checkzone failed; $(logtail "$DNS/check.log")"
	fi
	unbound-checkconf "$DNS/unbound.conf" >>"$DNS/check.log" 2>&1 ||
	    die "unbound-checkconf failed; $(logtail "$DNS/check.log")"
}

dig_ok() {
	[ -n "$(dig +short +time=1 +tries=1 "@$1" "$2" "$3")" ]
}

start_dns() {
	nsd -c "$DNS/nsd.conf" </dev/null >>"$DNS/nsd.log" 2>&1 ||
	    die "nsd did not start; $(logtail "$DNS/nsd.log")"
	wait_for 5 dig_ok "$NS_ADDR" . SOA ||
	    die "nsd does not answer on $NS_ADDR:53; $(logtail "$DNS/nsd.log")"
	pid_alive "$DNS/nsd.pid" nsd || wait_for 2 pid_alive "$DNS/nsd.pid" nsd ||
	    die "nsd answers but wrote no pidfile $DNS/nsd.pid"

	# Debian's AppArmor profile for /usr/sbin/unbound allows only its own
	# paths (/etc/unbound...); a copy of the binary elsewhere runs
	# unconfined and may read the lab's files.
	mkdir -p "$LAB/bin"
	cp "$(command -v unbound)" "$LAB/bin/unbound"
	"$LAB/bin/unbound" -c "$DNS/unbound.conf" </dev/null \
	    >>"$DNS/unbound.log" 2>&1 ||
	    die "unbound did not start; $(logtail "$DNS/unbound.log")"
	wait_for 5 dig_ok "$RESOLVER_ADDR" good.test MX ||
	    die "unbound on $RESOLVER_ADDR:53 does not resolve good.test; $(logtail "$DNS/unbound.log")"
	wait_for 2 pid_alive "$DNS/unbound.pid" unbound ||
	    die "unbound answers but wrote no pidfile $DNS/unbound.pid"
}

# ---------------------------------------------------------------- Postfix

postfix_user() {
	if ! getent group postdrop >/dev/null; then
		groupadd --system postdrop || die "cannot create group postdrop"
	fi
	if ! getent passwd postfix >/dev/null; then
		useradd --system --user-group --home-dir /var/spool/postfix \
		    --no-create-home --shell /usr/sbin/nologin postfix ||
		    die "cannot create user postfix"
	fi
}

start_postfix() {
	postfix_user
	mkdir -p "$PFETC" "$PFX/queue" "$PFX/data" "$PFX/mail"
	chown postfix: "$PFX/data"
	chmod 700 "$PFX/data"
	# inbox.test is delivered for real, to a Maildir owned by nobody
	chown nobody: "$PFX/mail"
	# Postfix daemons run as "postfix" in the queue directory.
	setpriv --reuid=postfix --regid=postfix --clear-groups -- \
	    test -x "$PFX/queue" ||
	    die "user postfix cannot reach $PFX/queue: make every parent directory of $LAB searchable (o+x)"
	render "$SRC/postfix/main.cf.in" "$PFETC/main.cf" PFX="$PFX" CA="$CA" \
	    MAILUID="$(id -u nobody)" MAILGID="$(id -g nobody)"
	render "$SRC/postfix/master.cf.in" "$PFETC/master.cf" CA="$CA"
	# Postfix re-reads a main.cf modified in the current second until it
	# is older (some 2 s, in 0.3 s naps): backdate the fresh files.
	touch -d '1 minute ago' "$PFETC/main.cf" "$PFETC/master.cf"
	: >"$PFX/maillog"
	postfix -c "$PFETC" check >>"$PFX/postfix.log" 2>&1 ||
	    die "postfix check failed (see $PFX/postfix.log and $PFX/maillog); $(logtail "$PFX/postfix.log")"
	# "postfix start" would repeat the checks just done (a second or
	# so); quick-start makes postfix-script skip them once.
	touch "$PFX/queue/quick-start"
	postfix -c "$PFETC" start </dev/null >>"$PFX/postfix.log" 2>&1 ||
	    die "postfix did not start; $(logtail "$PFX/postfix.log")$(logtail "$PFX/maillog")"
	pid_alive "$PFX/queue/pid/master.pid" master ||
	    die "postfix master is not running; $(logtail "$PFX/maillog")"
}

# ---------------------------------------------------------------- Exim

# Exim from the exim4-daemon-light .deb, unpacked into the cache: the
# package conflicts with postfix, so it is never installed. Downloaded
# once (apt-get download); its libraries come from scripts/deps.sh.
exim_binary() {
	local dir=$CACHE/exim deb=""
	EXIM_BIN=$dir/root/usr/sbin/exim4
	[ -x "$EXIM_BIN" ] && return 0
	mkdir -p "$dir"
	rm -rf "$dir/root" "$dir"/*.deb
	# _apt (apt's download user) must be able to write there
	chmod 755 "$dir"
	chown _apt "$dir" 2>/dev/null || true
	(cd "$dir" && apt-get download exim4-daemon-light) >>"$dir/apt.log" 2>&1 ||
	    die "apt-get download exim4-daemon-light failed (run apt-get update?); $(logtail "$dir/apt.log")"
	for deb in "$dir"/exim4-daemon-light_*.deb; do break; done
	[ -f "$deb" ] || die "apt-get download left no exim4-daemon-light .deb in $dir"
	dpkg -x "$deb" "$dir/root.tmp" >>"$dir/apt.log" 2>&1 ||
	    die "dpkg -x $deb failed; $(logtail "$dir/apt.log")"
	mv "$dir/root.tmp" "$dir/root"
	[ -x "$EXIM_BIN" ] || die "$deb has no usr/sbin/exim4"
}

# Debian's exim4 is built to run as the system user Debian-exim and looks
# it up at start.
exim_user() {
	if ! getent passwd Debian-exim >/dev/null; then
		useradd --system --user-group --home-dir /var/spool/exim4 \
		    --no-create-home --shell /usr/sbin/nologin Debian-exim ||
		    die "cannot create user Debian-exim"
	fi
}

# GnuTLS priority of weakcipher.test: the defaults plus 3DES, RC4 (with
# SHA1 and MD5 MACs), TLS 1.0 and 1.1.
EXIM_PRIORITY="NORMAL:+3DES-CBC:+ARCFOUR-128:+MD5:+VERS-TLS1.0:+VERS-TLS1.1:%COMPAT"

start_exim() {
	local missing
	exim_binary
	missing=$(ldd "$EXIM_BIN" 2>/dev/null | awk '/not found/ { print $1 }' | paste -sd' ' -)
	[ -z "$missing" ] ||
	    die "$EXIM_BIN: missing libraries $missing (run scripts/deps.sh)"
	exim_user
	mkdir -p "$EXIM/spool" "$EXIM/log" "$EXIM/tls"
	cp "$CA/weakcipher.pem" "$CA/weakcipher.key" "$EXIM/tls/"
	chown -R Debian-exim: "$EXIM/spool" "$EXIM/log" "$EXIM/tls"
	chmod 700 "$EXIM/tls"
	setpriv --reuid=Debian-exim --regid=Debian-exim --clear-groups -- \
	    test -w "$EXIM/spool" ||
	    die "user Debian-exim cannot reach $EXIM/spool: make every parent directory of $LAB searchable (o+x)"
	render "$SRC/exim/exim.conf.in" "$EXIM/exim.conf" EXIM="$EXIM" \
	    EXIM_BIN="$EXIM_BIN" PRIORITY="$EXIM_PRIORITY"
	"$EXIM_BIN" -C "$EXIM/exim.conf" -bV >"$EXIM/check.log" 2>&1 ||
	    die "exim rejects its configuration; $(logtail "$EXIM/check.log")"
	# -bd: daemon (it detaches); no queue runner; pidfile from the
	# configuration. setsid: no terminal, no caller's session.
	setsid "$EXIM_BIN" -C "$EXIM/exim.conf" -bd </dev/null \
	    >>"$EXIM/exim.log" 2>&1 ||
	    die "exim did not start; $(logtail "$EXIM/exim.log")$(logtail "$EXIM/log/paniclog")$(logtail "$EXIM/log/mainlog")"
	wait_for 5 pid_alive "$EXIM/exim.pid" exim4 ||
	    die "exim is not running; $(logtail "$EXIM/log/paniclog")$(logtail "$EXIM/log/mainlog")"
}

# ---------------------------------------------------------------- JSSE

# A Java program of the cache with the lab's security properties (60 s
# at most: a check must not hang the start).
java_cmd() {
	# shellcheck disable=SC2086
	timeout 60 java -Djava.security.properties="$SRC/jsse/java.security" \
	    $JAVA_OPTS -cp "$CACHE/jsse" "$@"
}

# Compile the Java server and checker into the cache unless the classes
# are newer than their sources.
jsse_compile() {
	local f stale=""
	for f in LegacyTlsServer LegacyTlsCheck; do
		[ "$CACHE/jsse/$f.class" -nt "$SRC/jsse/$f.java" ] || stale=1
	done
	[ -z "$stale" ] && return 0
	mkdir -p "$CACHE"
	rm -rf "$CACHE/jsse" "$CACHE/jsse.tmp"
	javac -d "$CACHE/jsse.tmp" "$SRC/jsse/LegacyTlsServer.java" \
	    "$SRC/jsse/LegacyTlsCheck.java" >"$CACHE/javac.log" 2>&1 ||
	    die "javac failed; $(logtail "$CACHE/javac.log")"
	mv "$CACHE/jsse.tmp" "$CACHE/jsse"
}

# The JVM takes a few hundred ms to listen: started early, in the
# background; jsse_wait checks it before the lab checks.
start_jsse() {
	jsse_compile
	mkdir -p "$JSSE"
	rm -f "$JSSE/jsse.pid"
	# shellcheck disable=SC2086
	setsid java -Djava.security.properties="$SRC/jsse/java.security" \
	    $JAVA_SERVER_OPTS -cp "$CACHE/jsse" LegacyTlsServer \
	    -a "$JSSE_ADDR" -p 25 -n mx.sslv3.test -k "$CA/sslv3.p12" \
	    -w lab-jsse -i "$JSSE/jsse.pid" </dev/null >>"$JSSE/jsse.log" 2>&1 &
	JSSE_PID=$!
}

# Has the process PID ended (gone, or a zombie)?
proc_ended() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	case ${stat##*) } in
	Z*|X*) return 0 ;;
	esac
	return 1
}

# Until the JVM has written its pidfile (it does once it listens), or
# has exited (a bad keystore or JDK: its log says why).
jsse_wait() {
	local i=0
	until pid_alive "$JSSE/jsse.pid" java; do
		if proc_ended "$JSSE_PID" || [ "$i" -ge 300 ]; then
			die "the JSSE server (LegacyTlsServer) did not start; $(logtail "$JSSE/jsse.log")"
		fi
		i=$((i + 1))
		sleep 0.05
	done
}

# ---------------------------------------------------------------- hostile

start_hostile() {
	local bin=$BUILD/tests/lab-hostile
	[ -x "$bin" ] || die "$bin not found: build the lab-hostile target first"
	mkdir -p "$HOST"
	rm -f "$HOST/hostile.pid"
	# setsid: own session, no terminal; ctest must not wait on it.
	setsid "$bin" -p "$HOST/hostile.pid" -c "$CA/sslv2.der" \
	    silent:127.0.0.21:25 mangled:127.0.0.22:25 \
	    starttls-error:127.0.0.23:25 tls-garbage:127.0.0.24:25 \
	    busy:127.0.0.25:25 sslv2:127.0.0.33:25 inject:127.0.0.26:25 \
	    noehlo:127.0.0.27:25 reject:127.0.0.28:25 xss:127.0.0.29:25 \
	    drip:127.0.0.50:25 endless:127.0.0.51:25 longline:127.0.0.52:25 \
	    garbage:127.0.0.53:25 tlsalert:127.0.0.54:25 tlsreset:127.0.0.55:25 \
	    tlsstall:127.0.0.56:25 v2stall:127.0.0.57:25 \
	    endlesshttp:$HOSTILE_HTTP_ADDR:80 \
	    </dev/null >>"$HOST/hostile.log" 2>&1 &
	wait_for 5 pid_alive "$HOST/hostile.pid" lab-hostile ||
	    die "lab-hostile did not start (\"unknown mode\": an old build, rebuild the lab-hostile target); $(logtail "$HOST/hostile.log")"
}

# ---------------------------------------------------------------- nginx

# gen_sts_policies DIR - DIR/mta-sts.DOMAIN.test/.well-known/mta-sts.txt
# for the MTA-STS scenarios (zones/test.zone.in): CRLF, as RFC 8461 3.2
# writes it; stsinvalid has a mode no client knows, stsbig 100 KiB (over
# the 64 KiB a client reads), sts404 and stsredirect no file at all.
gen_sts_policies() {
	local dir=$1 dom mode mx age f
	for dom in $STS_DOMAINS; do
		mode=enforce mx=mx.good.test age=604800
		case $dom in
		sts404 | stsredirect) continue ;;
		stswild) mx="*.good.test" ;;
		stsnotcovered) mx=mx.elsewhere.test ;;
		ststesting) mode=testing ;;
		stsbadmx) mx=mx.wrongname.test ;;
		stsshort) age=3600 ;;
		stsinvalid) mode=bogus ;;
		esac
		f=$dir/mta-sts.$dom.test/.well-known/mta-sts.txt
		mkdir -p "${f%/*}"
		printf 'version: STSv1\r\nmode: %s\r\nmx: %s\r\nmax_age: %s\r\n' \
		    "$mode" "$mx" "$age" >"$f"
		if [ "$dom" = stsbig ]; then
			head -c 102400 /dev/zero | tr '\0' '#' >>"$f"
		fi
	done
}

# nginx on 127.0.0.10:443 with the good certificate: a real implicit-TLS
# (HTTPS) server for the TLS probes on port 443 (the web checks come later).
start_nginx() {
	local d=$LAB/nginx
	mkdir -p "$d/tmp"
	gen_sts_policies "$d/sts"
	cat >"$d/nginx.conf" <<EOF
# Generated by tests/lab/lab.sh
pid $d/nginx.pid;
error_log $d/error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	# nginx 1.22's default lacks TLS 1.3; a current site offers 1.2 and 1.3
	ssl_protocols TLSv1.2 TLSv1.3;
	server {
		listen 127.0.0.10:443 ssl;
		server_name mx.good.test;
		ssl_certificate $CA/good.pem;
		ssl_certificate_key $CA/good.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		location / { return 200 "mxaudit lab\n"; }
	}
	# The web side (pshtt's cases, tests/lab/test_web.py): sites on
	# $WEB_ADDR (80 and 443), and an HTTP-only one on $WEB_PLAIN_ADDR.
	server {
		listen $WEB_PLAIN_ADDR:80 default_server;
		server_name _;
		location / { return 200 "plain http only\n"; }
	}
	server {
		listen $WEB_ADDR:80 default_server;
		server_name _;
		location / { return 404; }
	}
	server {
		listen $WEB_ADDR:443 ssl default_server;
		server_name _;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		location / { return 404; }
	}
	# webnoredirect.test: HTTPS works, HTTP does not send anyone there
	server {
		listen $WEB_ADDR:80;
		listen $WEB_ADDR:443 ssl;
		server_name webnoredirect.test www.webnoredirect.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		location / { return 200 "no redirect\n"; }
	}
	# webgood.test: HTTP to HTTPS on the same host first, www to the
	# root, HSTS for a year with includeSubDomains and preload
	server {
		listen $WEB_ADDR:80;
		server_name webgood.test www.webgood.test;
		return 301 https://\$host\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name webgood.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;
		location / { return 200 "good\n"; }
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name www.webgood.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;
		return 301 https://webgood.test\$request_uri;
	}
	# webchain.test: the root sends to www over HTTP, which goes HTTPS
	server {
		listen $WEB_ADDR:80;
		server_name webchain.test;
		return 301 http://www.webchain.test\$request_uri;
	}
	server {
		listen $WEB_ADDR:80;
		server_name www.webchain.test;
		return 301 https://www.webchain.test\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name webchain.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		return 301 https://www.webchain.test\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name www.webchain.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		add_header Strict-Transport-Security "max-age=63072000" always;
		location / { return 200 "chain\n"; }
	}
	# webhstsshort.test: enforced, HSTS for five minutes
	server {
		listen $WEB_ADDR:80;
		server_name webhstsshort.test www.webhstsshort.test;
		return 301 https://\$host\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name webhstsshort.test www.webhstsshort.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		add_header Strict-Transport-Security "max-age=300" always;
		location / { return 200 "short\n"; }
	}
	# webbadcert.test: HTTPS with a certificate for another name
	server {
		listen $WEB_ADDR:80;
		server_name webbadcert.test www.webbadcert.test;
		return 301 https://\$host\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name webbadcert.test www.webbadcert.test;
		ssl_certificate $CA/stsother.pem;
		ssl_certificate_key $CA/stsother.key;
		add_header Strict-Transport-Security "max-age=31536000" always;
		location / { return 200 "bad cert\n"; }
	}
	# webwww.test: only www exists (the root has no address)
	server {
		listen $WEB_ADDR:80;
		server_name www.webwww.test;
		return 301 https://www.webwww.test\$request_uri;
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name www.webwww.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		add_header Strict-Transport-Security "max-age=31536000" always;
		location / { return 200 "www only\n"; }
	}
	# webdowngrade.test: HTTPS sends visitors back to HTTP
	server {
		listen $WEB_ADDR:80;
		server_name webdowngrade.test www.webdowngrade.test;
		location / { return 200 "downgraded\n"; }
	}
	server {
		listen $WEB_ADDR:443 ssl;
		server_name webdowngrade.test www.webdowngrade.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		return 301 http://\$host\$request_uri;
	}
	# webexternal.test: everything goes to another organization
	server {
		listen $WEB_ADDR:80;
		listen $WEB_ADDR:443 ssl;
		server_name webexternal.test www.webexternal.test;
		ssl_certificate $CA/web.pem;
		ssl_certificate_key $CA/web.key;
		return 301 https://webgood.test/;
	}
	# MTA-STS policy hosts (RFC 8461 3.3), told apart by name
	server {
		listen $STS_ADDR:443 ssl default_server;
		server_name _;
		ssl_certificate $CA/sts.pem;
		ssl_certificate_key $CA/sts.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		root $d/sts/\$host;
		types { }
		default_type text/plain;
		location / { try_files \$uri =404; }
	}
	server {
		listen $STS_ADDR:443 ssl;
		server_name mta-sts.stsbadcert.test;
		ssl_certificate $CA/stsother.pem;
		ssl_certificate_key $CA/stsother.key;
		root $d/sts/mta-sts.stsgood.test;
		types { }
		default_type text/plain;
	}
	server {
		listen $STS_ADDR:443 ssl;
		server_name mta-sts.stsredirect.test;
		ssl_certificate $CA/sts.pem;
		ssl_certificate_key $CA/sts.key;
		return 301 https://mta-sts.stsgood.test\$request_uri;
	}
	server {
		listen $STS_ADDR:443 ssl;
		server_name mta-sts.stsctype.test;
		ssl_certificate $CA/sts.pem;
		ssl_certificate_key $CA/sts.key;
		root $d/sts/mta-sts.stsgood.test;
		types { }
		default_type text/html;
	}
	# stsendless.hostile.test: TLS in front of lab-hostile endlesshttp,
	# streamed through as it comes (a policy that never ends)
	server {
		listen $HOSTILE_HTTP_ADDR:443 ssl;
		server_name mta-sts.stsendless.hostile.test;
		ssl_certificate $CA/hostile.pem;
		ssl_certificate_key $CA/hostile.key;
		location / {
			proxy_pass http://$HOSTILE_HTTP_ADDR:80;
			proxy_buffering off;
		}
	}
}
EOF
	nginx -t -q -c "$d/nginx.conf" -e "$d/error.log" >>"$d/nginx.log" 2>&1 ||
	    die "nginx -t failed; $(logtail "$d/nginx.log")$(logtail "$d/error.log")"
	nginx -c "$d/nginx.conf" -e "$d/error.log" </dev/null >>"$d/nginx.log" 2>&1 ||
	    die "nginx did not start; $(logtail "$d/error.log")"
	wait_for 5 pid_alive "$d/nginx.pid" nginx ||
	    die "nginx is not running; $(logtail "$d/error.log")"
}

# ---------------------------------------------------------------- checks

# The sorted answer of a query through the lab resolver, ";"-separated,
# or NXDOMAIN.
resolve() {
	local out
	out=$(dig +time=2 +tries=2 +noall +comments +answer \
	    "@$RESOLVER_ADDR" "$1" "$2") || return 1
	case $out in
	*"status: NXDOMAIN"*)	echo NXDOMAIN; return 0 ;;
	*"status: NOERROR"*)	;;
	*)			out=${out#*status: }; echo "${out%%,*}"; return 0 ;;
	esac
	printf '%s\n' "$out" | awk '!/^;/ && NF >= 5 && $4 == "'"$2"'" {
	    $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' | sort |
	    paste -sd';' -
}

check_dns() {
	local name type want got bad="" i=0 tmp=$LAB/dns/check pids=""
	mkdir -p "$tmp"
	# name type expected-answer ("-": empty), queried in parallel.
	cat >"$tmp/table" <<'EOF'
good.test MX 10 mx.good.test.
mx.good.test A 127.0.0.10
nostarttls.test MX 10 mx.nostarttls.test.
mx.nostarttls.test A 127.0.0.11
selfsigned.test MX 10 mx.selfsigned.test.
mx.selfsigned.test A 127.0.0.12
expired.test MX 10 mx.expired.test.
mx.expired.test A 127.0.0.13
wrongname.test MX 10 mx.wrongname.test.
mx.wrongname.test A 127.0.0.14
twomx.test MX 10 mx1.twomx.test.;20 mx2.twomx.test.
mx1.twomx.test A 127.0.0.10
mx2.twomx.test A 127.0.0.11
nullmx.test MX 0 .
implicit.test MX -
implicit.test A 127.0.0.10
ipv6.test MX 10 mx.ipv6.test.
mx.ipv6.test AAAA ::1
mx.ipv6.test A -
nxdomain.test MX NXDOMAIN
refused.test MX 10 mx.refused.test.
mx.refused.test A 127.0.0.20
silent.test MX 10 mx.silent.test.
mx.silent.test A 127.0.0.21
mangled.test MX 10 mx.mangled.test.
mx.mangled.test A 127.0.0.22
starttlserr.test MX 10 mx.starttlserr.test.
mx.starttlserr.test A 127.0.0.23
tlsfail.test MX 10 mx.tlsfail.test.
mx.tlsfail.test A 127.0.0.24
mxnoaddr.test MX 10 mx.nowhere.test.
mx.nowhere.test A NXDOMAIN
signed.test MX 10 mx.signed.test.
mx.signed.test A 127.0.0.10
servfail.test MX SERVFAIL
alias.test MX 10 mx.good.test.
mx.cname.test CNAME mx.good.test.
literal.test MX 10 127.0.0.10.
bogus.signed.test MX 20 mx.bogus.signed.test.
busy.test MX 10 mx.busy.test.
mx.busy.test A 127.0.0.25
tls10.test MX 10 mx.tls10.test.
mx.tls10.test A 127.0.0.30
nofs.test MX 10 mx.nofs.test.
weakcert.test MX 10 mx.weakcert.test.
weakcipher.test MX 10 mx.weakcipher.test.
mx.weakcipher.test A 127.0.0.31
sslv3.test MX 10 mx.sslv3.test.
mx.sslv3.test A 127.0.0.32
sslv2.test MX 10 mx.sslv2.test.
mx.sslv2.test A 127.0.0.33
d0000.bench.test MX 10 mx.d0000.bench.test.
mx.d0999.bench.test A 127.0.0.14
drip.hostile.test MX 10 mx.drip.hostile.test.
mx.tlsstall.hostile.test A 127.0.0.56
mx.v2stall.hostile.test A 127.0.0.57
mta-sts.stsendless.hostile.test A 127.0.0.58
EOF
	while read -r name type want; do
		i=$((i + 1))
		{ resolve "$name" "$type" || echo "(dig failed)"; } >"$tmp/$i" &
		pids="$pids $!"
	done <"$tmp/table"
	# Not a bare "wait": lab-hostile is a child of this shell too.
	# shellcheck disable=SC2086
	wait $pids || true
	i=0
	while read -r name type want; do
		i=$((i + 1))
		[ "$want" = "-" ] && want=""
		got=$(cat "$tmp/$i")
		if [ "$got" != "$want" ]; then
			bad="$bad
    $type $name: got '$got', want '$want'"
		fi
	done <"$tmp/table"
	[ -z "$bad" ] || die "DNS answers differ from the scenario table:$bad"

	# signed.test must come with signatures (DO bit) and keys.
	dig +dnssec +time=2 +tries=2 +noall +answer "@$RESOLVER_ADDR" \
	    signed.test MX | grep -q 'RRSIG[[:space:]]*MX 13 ' ||
	    die "no RRSIG for signed.test MX through unbound"
	dig +dnssec +time=2 +tries=2 +noall +answer "@$RESOLVER_ADDR" \
	    signed.test DNSKEY | grep -q 'DNSKEY[[:space:]]*257 3 13 ' ||
	    die "no KSK DNSKEY for signed.test through unbound"
	delv "@$RESOLVER_ADDR" -a "$DNS/trust-anchor.delv" +root=signed.test \
	    signed.test MX 2>&1 | grep -q '^; fully validated' ||
	    die "signed.test MX does not validate with the trust anchor (delv)"
}

# First line the server sends on ADDR:PORT (port 25 by default; empty for
# a silent server).
banner() {
	local out
	# shellcheck disable=SC2016
	out=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
	    IFS= read -r -t 1 line <&3 || line=""
	    printf "%s\n" "$line"' _ "$1" "${2:-25}" 2>/dev/null) || return 1
	printf '%s\n' "${out%$'\r'}"
}

# openssl verify code of the certificate at ADDR:PORT for NAME, after
# STARTTLS (implicit TLS on port 465); more s_client options may follow.
# Usage: tls_verify_code ADDR NAME [PORT [OPTION...]]
tls_verify_code() {
	local out addr=$1 name=$2 port=${3:-25} hostport
	shift 2
	[ $# -eq 0 ] || shift
	hostport=$addr:$port
	case $addr in
	*:*:*) hostport="[$addr]:$port" ;;
	esac
	[ "$port" = 465 ] || set -- -starttls smtp "$@"
	out=$(timeout 5 openssl s_client "$@" -connect "$hostport" \
	    -servername "$name" -verify_hostname "$name" -CAfile "$CA/ca.pem" \
	    -brief </dev/null 2>&1) || true
	case $out in
	*"Verification: OK"*)	echo 0 ;;
	*"verify error:num="*)	printf '%s\n' "$out" |
				    sed -n 's/.*verify error:num=\([0-9]*\).*/\1/p' | head -n 1 ;;
	*)			echo "no-tls" ;;
	esac
}

check_smtp() {
	local addr want got bad="" name port opts i=0 pids="" tmp=$LAB/tlscheck
	mkdir -p "$tmp"
	while read -r addr want; do
		if [ -z "$want" ]; then
			# Silent: accepting the connection is all it does
			# (drip, longline, garbage: no line of text soon).
			# shellcheck disable=SC2016
			timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/25"' _ "$addr" \
			    2>/dev/null ||
			    bad="$bad
    $addr:25: no connection"
			continue
		fi
		port=25
		case $addr in
		*.*:*) port=${addr##*:}; addr=${addr%:*} ;;
		esac
		got=$(banner "$addr" "$port") || got="(no connection)"
		case $got in
		"$want"*) ;;
		*) bad="$bad
    $addr:$port: got '$got', want '$want...'" ;;
		esac
	done <<'EOF'
127.0.0.10 220 mx.good.test
127.0.0.11 220 mx.nostarttls.test
127.0.0.12 220 mx.selfsigned.test
127.0.0.13 220 mx.expired.test
127.0.0.14 220 mx.wrongname.test
::1 220 mx.ipv6.test
127.0.0.21
127.0.0.22 220 mx.mangled.test
127.0.0.23 220 mx.starttlserr.test
127.0.0.24 220 mx.tlsfail.test
127.0.0.30 220 mx.tls10.test
127.0.0.31 220 mx.weakcipher.test
127.0.0.32 220 mx.sslv3.test
127.0.0.33 220 mx.sslv2.test
127.0.0.26 220 mx.inject.test
127.0.0.27 220 mx.noehlo.test
127.0.0.28 554 5.7.1 mx.reject.test
127.0.0.29 220-mx.xss.test <script>document.body.setAttribute('data-pwned','1')</script>
127.0.0.34 220 mx.nofs.test
127.0.0.35 220 mx.weakcert.test
127.0.0.50
127.0.0.51 220 mx.endless.hostile.test
127.0.0.52
127.0.0.53
127.0.0.54 220 mx.tlsalert.hostile.test
127.0.0.55 220 mx.tlsreset.hostile.test
127.0.0.56 220 mx.tlsstall.hostile.test
127.0.0.57 220 mx.v2stall.hostile.test
127.0.0.10:587 220 mx.good.test
EOF
	# busy turns away every other connection: a look would spend one
	listening 127.0.0.25 25 || bad="$bad
    127.0.0.25:25: lab-hostile busy is not listening"
	listening "$HOSTILE_HTTP_ADDR" 80 || bad="$bad
    $HOSTILE_HTTP_ADDR:80: lab-hostile endlesshttp is not listening"
	listening "$HOSTILE_HTTP_ADDR" 443 || bad="$bad
    $HOSTILE_HTTP_ADDR:443: nginx (stsendless.hostile.test) is not listening"
	if listening "$REFUSED_ADDR" 25; then
		bad="$bad
    $REFUSED_ADDR:25: something listens there, it must refuse"
	fi
	[ -z "$bad" ] || die "SMTP listeners are not as expected:$bad$(logtail "$PFX/maillog")"

	# Certificates as served: 0 ok, 10 expired, 18 self-signed,
	# 62 hostname mismatch. ADDR NAME CODE [PORT [s_client options]],
	# checked in parallel.
	cat >"$tmp/table" <<'EOF'
127.0.0.10 mx.good.test 0
::1 mx.ipv6.test 0
127.0.0.12 mx.selfsigned.test 18
127.0.0.13 mx.expired.test 10
127.0.0.14 mx.wrongname.test 62
127.0.0.10 mx.good.test 0 465
127.0.0.10 mx.good.test 0 587
127.0.0.30 mx.tls10.test 0 25 -tls1 -cipher DEFAULT:@SECLEVEL=0
127.0.0.31 mx.weakcipher.test 0
127.0.0.32 mx.sslv3.test 0
EOF
	while read -r addr name want port opts; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		tls_verify_code "$addr" "$name" "${port:-25}" $opts >"$tmp/$i" &
		pids="$pids $!"
	done <"$tmp/table"
	# shellcheck disable=SC2086
	wait $pids || true
	i=0
	while read -r addr name want port opts; do
		i=$((i + 1))
		got=$(cat "$tmp/$i")
		if [ "$got" != "$want" ]; then
			bad="$bad
    $addr:${port:-25} ($name): verify code '$got', want '$want'"
		fi
	done <"$tmp/table"
	[ -z "$bad" ] || die "STARTTLS certificates are not as expected:$bad$(logtail "$PFX/maillog")"
}

# What the legacy servers offer, beyond their certificates: each check_*
# prints "ok" or one line per thing that went wrong.

# openssl s_client at ADDR:25 for NAME with OPTIONS: "PROTOCOL CIPHER" or
# "failed".
tls_handshake() {
	local addr=$1 name=$2 out
	shift 2
	out=$(timeout 5 openssl s_client -starttls smtp "$@" \
	    -connect "$addr:25" -servername "$name" -brief </dev/null 2>&1) || true
	case $out in
	*"CONNECTION ESTABLISHED"*)
		printf '%s\n' "$out" | awk -F': ' '
		    /^Protocol version:/ { p = $2 } /^Ciphersuite:/ { c = $2 }
		    END { print p " " c }' ;;
	*)	echo failed ;;
	esac
}

# tls10.test (Postfix): TLS 1.0 and 1.1, nothing newer.
check_tls10() {
	local want got bad="" opts
	while read -r want opts; do
		# shellcheck disable=SC2086
		got=$(tls_handshake 127.0.0.30 mx.tls10.test $opts)
		case $got in
		"$want"*) ;;
		*) bad="$bad
$opts: got '$got', want '$want'" ;;
		esac
	done <<'EOF'
TLSv1 -tls1 -cipher DEFAULT:@SECLEVEL=0
TLSv1.1 -tls1_1 -cipher DEFAULT:@SECLEVEL=0
failed -tls1_2 -cipher DEFAULT:@SECLEVEL=0
failed -tls1_3
EOF
	[ -n "$bad" ] && echo "${bad#?}" || echo ok
}

# weakcipher.test (Exim, GnuTLS): 3DES and RC4, checked with GnuTLS.
check_weakcipher() {
	local want got bad="" prio
	while read -r want prio; do
		# QUIT: Exim closes at once (at EOF gnutls-cli would wait
		# for the server's close_notify, 2 s)
		got=$(printf 'QUIT\r\n' | timeout 5 gnutls-cli \
		    --starttls-proto=smtp -p 25 --x509cafile="$CA/ca.pem" \
		    --verify-hostname=mx.weakcipher.test --priority="$prio" \
		    "$EXIM_ADDR" 2>&1 | sed -n 's/^- Description: //p')
		case $got in
		"$want") ;;
		*) bad="$bad
$prio: got '$got', want '$want'" ;;
		esac
	done <<'EOF'
(TLS1.2-X.509)-(RSA)-(3DES-CBC)-(SHA1) NORMAL:-KX-ALL:+RSA:-CIPHER-ALL:+3DES-CBC:-VERS-ALL:+VERS-TLS1.2
(TLS1.0-X.509)-(RSA)-(ARCFOUR-128)-(SHA1) NORMAL:-KX-ALL:+RSA:-CIPHER-ALL:+ARCFOUR-128:-VERS-ALL:+VERS-TLS1.0
(TLS1.2-X.509)-(RSA)-(ARCFOUR-128)-(MD5) NORMAL:-KX-ALL:+RSA:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5:-VERS-ALL:+VERS-TLS1.2
(TLS1.1-X.509)-(ECDHE-SECP256R1)-(3DES-CBC)-(SHA1) NORMAL:-CIPHER-ALL:+3DES-CBC:-VERS-ALL:+VERS-TLS1.1
EOF
	[ -n "$bad" ] && echo "${bad#?}" || echo ok
}

# sslv3.test (JSSE) and sslv2.test (lab-hostile), with the JSSE checker.
# Each weak family at the oldest version that has it, and refusals.
check_jsse() {
	local s3=$JSSE_ADDR,25,mx.sslv3.test s2=127.0.0.33,25,mx.sslv2.test out
	if out=$(java_cmd LegacyTlsCheck -c "$CA/ca.pem" \
	    ok,$s3,SSLv3,SSL_RSA_WITH_RC4_128_SHA \
	    ok,$s3,SSLv3,SSL_RSA_WITH_3DES_EDE_CBC_SHA \
	    ok,$s3,SSLv3,SSL_RSA_WITH_DES_CBC_SHA \
	    ok,$s3,SSLv3,SSL_RSA_EXPORT_WITH_RC4_40_MD5 \
	    ok,$s3,TLSv1,SSL_RSA_EXPORT_WITH_DES40_CBC_SHA \
	    ok,$s3,SSLv3,SSL_DH_anon_WITH_RC4_128_MD5 \
	    ok,$s3,TLSv1,SSL_RSA_WITH_NULL_SHA \
	    ok,$s3,TLSv1.1,SSL_RSA_WITH_DES_CBC_SHA \
	    ok,$s3,TLSv1.2,SSL_RSA_WITH_RC4_128_SHA \
	    ok,$s3,TLSv1.2,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \
	    fail,$s3,TLSv1.3,TLS_AES_128_GCM_SHA256 \
	    fail,$s3,SSLv2,SSL_CK_RC4_128_WITH_MD5 \
	    ok,$s2,SSLv2,SSL_CK_RC4_128_WITH_MD5 \
	    ok,$s2,SSLv2,SSL_CK_RC4_128_EXPORT40_WITH_MD5 \
	    ok,$s2,SSLv2,SSL_CK_DES_192_EDE3_CBC_WITH_MD5 \
	    ok,$s2,SSLv2,SSL_CK_DES_64_CBC_WITH_MD5 \
	    fail,$s2,SSLv2,SSL_CK_RC2_128_CBC_WITH_MD5 \
	    fail,$s2,TLSv1.2,TLS_RSA_WITH_AES_128_CBC_SHA \
	    fail,$EXIM_ADDR,25,mx.weakcipher.test,SSLv3,SSL_RSA_WITH_3DES_EDE_CBC_SHA \
	    2>&1); then
		echo ok
	else
		printf '%s\n' "$out" | grep -v '^as expected'
	fi
}

# Started in the background before the other checks, collected after.
check_legacy_start() {
	local f
	LEGACY_PIDS=""
	mkdir -p "$LAB/legacycheck"
	for f in tls10 weakcipher jsse; do
		"check_$f" >"$LAB/legacycheck/$f" 2>&1 &
		LEGACY_PIDS="$LEGACY_PIDS $!"
	done
}

check_legacy() {
	local tmp=$LAB/legacycheck bad="" f
	# shellcheck disable=SC2086
	wait $LEGACY_PIDS || true
	for f in tls10 weakcipher jsse; do
		[ "$(cat "$tmp/$f")" = ok ] || bad="$bad
    $f:
$(sed 's/^/      /' "$tmp/$f")"
	done
	[ -z "$bad" ] || die "legacy TLS servers do not offer what they should:$bad"
}

# ---------------------------------------------------------------- start

write_domains() {
	cat >"$LAB/domains.txt" <<'EOF'
good.test
nostarttls.test
selfsigned.test
expired.test
wrongname.test
twomx.test
nullmx.test
implicit.test
ipv6.test
nxdomain.test
refused.test
silent.test
mangled.test
starttlserr.test
tlsfail.test
mxnoaddr.test
signed.test
busy.test
inject.test
noehlo.test
reject.test
servfail.test
bogus.signed.test
alias.test
cname.test
literal.test
tls10.test
nofs.test
weakcert.test
weakcipher.test
sslv3.test
sslv2.test
EOF
	# bench.test: see gen_bench_zone
	seq -f 'd%04g.bench.test' 0 999 >"$LAB/bench-domains.txt"
	seq -f 'h%06g.hosted.test' 0 99999 >"$LAB/hosted-domains.txt"
}

env_flags() {
	echo "--resolver $RESOLVER_ADDR --trust-anchor $DNS/trust-anchor.key --ca-file $CA/ca.pem"
}

# Run a start step; MXAUDIT_LAB_TIMING=1 prints how long each one took.
step() {
	local t
	t=$(date +%s%N)
	"$@"
	if [ "${MXAUDIT_LAB_TIMING:-}" = 1 ]; then
		note "$1: $((($(date +%s%N) - t) / 1000000)) ms"
	fi
}

on_start_exit() {
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		if [ "${MXAUDIT_LAB_KEEP:-}" = 1 ]; then
			echo "$prog: start failed; leaving what runs (MXAUDIT_LAB_KEEP=1)" >&2
		else
			echo "$prog: start failed; stopping what was started (logs stay in $LAB)" >&2
			do_stop >/dev/null 2>&1 || true
		fi
	fi
	exit "$rc"
}

do_start() {
	local t0 cmd
	t0=$(date +%s%N)
	[ "$(id -u)" = 0 ] || die "must run as root (ports 25 and 53)"
	for cmd in nsd nsd-checkconf nsd-checkzone unbound unbound-checkconf nginx \
	    postfix postconf openssl dnssec-keygen dnssec-signzone \
	    dnssec-dsfromkey dig delv ss setsid setpriv timeout java javac \
	    gnutls-cli apt-get dpkg ldd useradd; do
		command -v "$cmd" >/dev/null 2>&1 ||
		    die "$cmd not found (run scripts/deps.sh: needs postfix nsd unbound bind9-utils bind9-dnsutils openssl openjdk-17-jdk-headless gnutls-bin)"
	done
	[ -x "$BUILD/tests/lab-hostile" ] ||
	    die "$BUILD/tests/lab-hostile not found: build the lab-hostile target first"

	step do_stop
	if ! ports_free; then
		die "lab ports are in use by something else (another lab or a system daemon?):
$(who_listens)"
	fi
	trap on_start_exit EXIT

	case $LAB in
	*/lab) rm -rf "$LAB" ;;
	*) die "refusing to remove unexpected path $LAB" ;;
	esac
	mkdir -p "$LAB"

	step gen_ca
	# the JVM starts while the rest is set up
	step start_jsse
	step gen_dns
	write_domains
	env_flags >"$LAB/env"
	step start_dns
	step start_postfix
	step start_exim
	step start_hostile
	step start_nginx
	step jsse_wait
	step check_legacy_start
	step check_dns
	step check_smtp
	step check_legacy

	trap - EXIT
	t0=$((($(date +%s%N) - t0) / 1000000))
	note "lab up in $((t0 / 1000)).$(printf '%03d' $((t0 % 1000))) s; state in $LAB"
	note "flags: $(env_flags)"
}

do_status() {
	local rc=0
	if pid_alive "$DNS/nsd.pid" nsd; then note "nsd: running"; else note "nsd: stopped"; rc=1; fi
	if pid_alive "$DNS/unbound.pid" unbound; then note "unbound: running"; else note "unbound: stopped"; rc=1; fi
	if pid_alive "$PFX/queue/pid/master.pid" master; then note "postfix: running"; else note "postfix: stopped"; rc=1; fi
	if pid_alive "$EXIM/exim.pid" exim4; then note "exim: running"; else note "exim: stopped"; rc=1; fi
	if pid_alive "$JSSE/jsse.pid" java; then note "jsse: running"; else note "jsse: stopped"; rc=1; fi
	if pid_alive "$HOST/hostile.pid" lab-hostile; then note "lab-hostile: running"; else note "lab-hostile: stopped"; rc=1; fi
	return "$rc"
}

# ---------------------------------------------------------------- main

[ $# -eq 2 ] || usage
action=$1
case $action in
start|restart)
	mkdir -p "$2" || die "cannot create $2"
	;;
esac
if [ -d "$2" ]; then
	BUILD=$(cd "$2" && pwd -P)
else
	case $2 in
	/*) BUILD=$2 ;;
	*) BUILD=$(pwd -P)/$2 ;;
	esac
fi
set_paths "$BUILD"

case $action in
start|restart)
	do_start
	;;
stop)
	do_stop
	;;
status)
	do_status
	;;
env)
	env_flags
	;;
*)
	usage
	;;
esac
