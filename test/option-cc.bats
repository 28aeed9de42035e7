#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The congestion-control request end to end: the client asks, in an RFC
# 6994 option (kind 254, ExID 0x4343, one id per name), and the server
# switches its socket to the algorithm only when its allow list has it.
# Ids: reno 1, cubic 2, bbr 3.

load lib/common
load lib/request

bats_require_minimum_version 1.5.0

setup() {
	request_setup
	# A known default, whatever the host's is (a namespace may only
	# pick an allowed one by itself; reno always is).
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_congestion_control=reno
	ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_congestion_control=reno
}

# bulk_from_server: 2 MB from the server to a draining client (CLIENT),
# then a wait (5 s at most) for the second line of the server's report;
# the server keeps the socket 3 s after sending, for ss.
bulk_from_server() {
	serve 192.0.2.2 --send 2000000 --hold 3
	connect 192.0.2.2 --drain >/dev/null &
	CLEANUP_PIDS+=($!)
	CLIENT=$!
	for _ in $(seq 100); do
		[ "$(wc -l <"$BATS_TEST_TMPDIR/srv.out")" -ge 2 ] && break
		sleep 0.05
	done
}

@test "cc: the SYN asks for bbr and the server's socket uses it (IPv4)" {
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow bbr,reno cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434303"
	# The server asks nothing: its SYN-ACK carries no request.
	assert_equal "$(find_exp "$SYNACK" 254 4343)" ""
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
	# The client's own socket is untouched.
	assert_equal "$(jq -r .congestion <<<"$CLIENT_REPORT")" reno
	run tcpopt -j option show cc cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused, .stats.malformed] | join(" ")' <<<"$output")" "1 1 0 0"
	# The SYN and the first ACK (for a listener that kept no SYN).
	assert_equal "$(counter cc "$CG_C" sent)" 2
}

@test "cc: the same over IPv6, with cubic" {
	tcpopt option add cc cubic cgroup "$CG_C"
	tcpopt option add cc allow cubic cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434302"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" cubic
}

@test "cc: the bulk sender really runs the algorithm it was asked for (ss reads BBR's model)" {
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow bbr cgroup "$CG_S"
	bulk_from_server
	after=$(sed -n 2p "$BATS_TEST_TMPDIR/srv.out")
	assert_equal "$(jq -r .congestion <<<"$after")" bbr
	# Only BBR has a bandwidth and min-RTT model (tcp_bbr_info): after
	# 2 MB it measured a bandwidth.  reno or cubic show no "bbr:(".
	run ip netns exec "$NS_S" ss -tin state established "( sport = :$PORT )"
	assert_success
	assert_output --regexp 'bbr:\(bw:[1-9][0-9.]*[KMG]?bps,mrtt:[0-9.]+'
	assert_wait "$SERVER_PID"
	assert_wait "$CLIENT"
}

@test "cc: the bulk sender without a request keeps its default (no BBR model)" {
	tcpopt option add cc allow bbr cgroup "$CG_S"
	bulk_from_server
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/srv.out" | jq -r .congestion)" reno
	run ip netns exec "$NS_S" ss -tin state established "( sport = :$PORT )"
	assert_success
	assert_output --regexp ' reno '
	refute_output --partial 'bbr:('
	assert_wait "$SERVER_PID"
	assert_wait "$CLIENT"
}

@test "cc: a list is a preference: the first allowed name wins" {
	tcpopt option add cc cubic,bbr,reno cgroup "$CG_C"
	tcpopt option add cc allow reno,bbr cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe074343020301"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
}

@test "cc: a name that is not allowed is refused and the socket keeps its default" {
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow reno,cubic cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434303"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	run tcpopt -j option show cc cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused] | join(" ")' <<<"$output")" "1 0 1"
}

@test "cc: an allowed name the kernel does not have is refused" {
	# One that tcpopt knows and this kernel has not loaded (from BPF, a
	# module is never loaded for it): the first of the table's last ones.
	local name id=0
	for name in cdg nv yeah veno lp scalable illinois hybla highspeed bic htcp westwood vegas dctcp; do
		grep -qw "$name" /proc/sys/net/ipv4/tcp_available_congestion_control || break
	done
	assert_equal "$(grep -cw "$name" /proc/sys/net/ipv4/tcp_available_congestion_control)" 0
	# its wire id: its place in tcpopt's table
	run tcpopt option add cc vegas2 cgroup "$CG_C"
	assert_failure 2
	for n in $(sed 's/.*choose from: \(.*\))$/\1/; s/,//g' <<<"$output"); do
		id=$((id + 1))
		[ "$n" = "$name" ] && break
	done
	tcpopt option add cc "$name" cgroup "$CG_C"
	tcpopt option add cc allow "$name",reno cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe054343$(printf '%02x' "$id")"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	assert_equal "$(counter cc "$CG_S" refused)" 1
	assert_equal "$(counter cc "$CG_S" error)" 0
}

@test "cc: ignore refuses every request" {
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow bbr ignore cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	assert_equal "$(counter cc "$CG_S" refused)" 1
	assert_equal "$(counter cc "$CG_S" applied)" 0
}

@test "cc: the default allow list is the kernel's tcp_allowed_congestion_control" {
	tcpopt option add cc cgroup "$CG_S"
	want=$(tr ' ' '\n' </proc/sys/net/ipv4/tcp_allowed_congestion_control |
		grep -xE 'reno|cubic|bbr|dctcp|vegas|westwood|htcp|bic|highspeed|hybla|illinois|scalable|lp|veno|yeah|nv|cdg' |
		sort | paste -sd, -)
	run tcpopt -j option show cc cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.params.allow | sort | join(",")' <<<"$output")" "$want"
	assert_equal "$(jq -r '.params.request | length' <<<"$output")" 0
	assert_equal "$(jq -r '.kind, .exid' <<<"$output" | paste -sd' ' -)" "254 17219"
}

@test "cc: with syncookies the server reads the request from the first ACK" {
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow bbr cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$ACK" 254 4343)" "fe05434303"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
}

@test "cc: filters decide on the wire: dport, dst on the sender; sport, src, dst on the receiver; IPv4, IPv6, v4-mapped" {
	filters_on_the_wire "cc bbr" "cc allow bbr" cc find_exp 254 4343
}

@test "cc: allow default is the kernel's allowed list, read when set: a request outside it is refused" {
	# tcp_allowed_congestion_control is the machine's (not a namespace's):
	# read, never written.  tcpopt's names in its table order (wire ids).
	allowed=$(cat /proc/sys/net/ipv4/tcp_allowed_congestion_control)
	run tcpopt option add cc vegas2 cgroup "$CG_C"
	assert_failure 2
	names=$(sed 's/.*choose from: \(.*\))$/\1/; s/,//g' <<<"$output")
	outside= inside=
	for n in $names; do
		if grep -qw "$n" <<<"$allowed"; then
			[ -n "$inside" ] || [ "$n" = reno ] || inside=$n
		else
			[ -n "$outside" ] || outside=$n
		fi
	done
	echo "allowed: $allowed; asking for $outside, then ${inside:-reno}" >&3
	tcpopt option add cc "$outside" cgroup "$CG_C"
	tcpopt option add cc allow "$outside" cgroup "$CG_S"
	tcpopt option set cc allow default cgroup "$CG_S"
	run tcpopt -j option show cc cgroup "$CG_S"
	assert_success
	want=$(for n in $names; do grep -qw "$n" <<<"$allowed" && echo "$n"; done | paste -sd, -)
	assert_equal "$(jq -r '.params.allow | join(",")' <<<"$output")" "$want"
	handshake 192.0.2.2
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	assert_equal "$(counter cc "$CG_S" refused)" 1
	# a request inside it is applied
	tcpopt option set cc "${inside:-reno}" cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" "${inside:-reno}"
	assert_equal "$(counter cc "$CG_S" applied)" 1
}

@test "cc: dport on the client decides which connections ask" {
	tcpopt option add cc bbr dport $((PORT + 1)) cgroup "$CG_C"
	tcpopt option add cc allow bbr cgroup "$CG_S"
	handshake 192.0.2.2
	assert [ -n "$SYN" ]
	assert_equal "$(find_exp "$SYN" 254 4343)" ""
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	tcpopt option set cc dport $PORT cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434303"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
}

@test "cc: src on the server decides which connections it serves, IPv4 and IPv6" {
	tcpopt option add cc bbr cgroup "$CG_C"
	tcpopt option add cc allow bbr src 2001:db8::/64 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434303"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	assert_equal "$(counter cc "$CG_S" received)" 0
	handshake 2001:db8::2
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
	assert_equal "$(counter cc "$CG_S" received)" 1
}

@test "cc: exid and kind 253 change the option; the default ExID no longer matches" {
	tcpopt option add cc bbr exid 0x1234 kind 253 cgroup "$CG_C"
	tcpopt option add cc allow bbr cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 253 1234)" "fd05123403"
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" reno
	tcpopt option add cc allow bbr exid 4660 kind 253 cgroup "$CG_S" replace
	handshake 192.0.2.2
	assert_equal "$(jq -r .congestion <<<"$SERVER_REPORT")" bbr
	run tcpopt -j option show cc cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.kind, .exid' <<<"$output" | paste -sd' ' -)" "253 4660"
}

@test "cc: every puts the request on every segment; the server switches once" {
	tcpopt option add cc bbr every cgroup "$CG_C"
	tcpopt option add cc allow bbr every cgroup "$CG_S"
	bulk_transfer
	assert_every_segment fe05434303 find_exp 254 4343
	assert_equal "$(jq -r .congestion < "$BATS_TEST_TMPDIR/srv.out")" bbr
	assert [ "$(counter cc "$CG_S" received)" -gt 2 ]
	assert_equal "$(counter cc "$CG_S" applied)" 1
}

@test "cc, iw and delack on one cgroup at once: all on the SYN, all applied" {
	for cg in "$CG_C" "$CG_S"; do
		[ "$cg" = "$CG_C" ] && req=(bbr 40 "timeout 0.5") || req=("allow bbr" "" "")
		tcpopt option add cc ${req[0]} cgroup "$cg"
		tcpopt option add iw ${req[1]} cgroup "$cg"
		tcpopt option add delack ${req[2]} cgroup "$cg"
	done
	handshake 192.0.2.2
	# 5 + 6 + 7 bytes beside MSS, SACK-permitted, timestamps, window scale
	assert_equal "$(find_exp "$SYN" 254 4343)" "fe05434303"
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570028"
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c003200"
	assert_equal "$(jq -r '[.congestion, .snd_cwnd] | join(" ")' <<<"$SERVER_REPORT")" "bbr 40"
	for o in cc iw delack; do
		assert_equal "$(counter $o "$CG_S" applied)" 1
		assert_equal "$(counter $o "$CG_C" no_room)" 0
	done
}

# Malformed requests: counted, nothing applied, the connection made.
malformed_cc() {
	tcpopt option add cc allow bbr,reno cgroup "$CG_S"
	crafted_syn "$@"
	assert_equal "$(jq -r .congestion <<<"$REPORT")" reno
	assert_equal "$(counter cc "$CG_S" malformed)" 1
	assert_equal "$(counter cc "$CG_S" applied)" 0
}

@test "cc: a request with no id is malformed" {
	malformed_cc fe044343
}

@test "cc: a zero id is malformed" {
	malformed_cc fe0543430003
}

@test "cc: more than four ids is malformed" {
	malformed_cc fe09434303030303030303
}

@test "cc: a kind-254 option too short for an ExID is malformed, and hides nothing" {
	# A truncated experimental option, then a good request behind it:
	# the kernel's own search would stop at the first; ours does not
	# act on a segment it cannot trust.
	malformed_cc fe0343fe05434303
}

@test "cc: a zero ExID is malformed" {
	malformed_cc fe0500000003
}

@test "cc: an option list that runs past the header is malformed" {
	malformed_cc 020405b4fe144343
}

@test "cc: a well-formed crafted request is applied (the crafting is sound)" {
	tcpopt option add cc allow bbr cgroup "$CG_S"
	crafted_syn fe05434303
	assert_equal "$(jq -r .congestion <<<"$REPORT")" bbr
	assert_equal "$(counter cc "$CG_S" malformed)" 0
}

@test "cc: list, show, save agree; an identical add is a no-op" {
	tcpopt option add cc bbr,reno allow cubic,bbr every exid 0x0101 cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0].params.request | join(",")' <<<"$output")" bbr,reno
	assert_equal "$(jq -r '.[0].params.allow | join(",")' <<<"$output")" cubic,bbr
	assert_equal "$(jq -r '.[0].exid' <<<"$output")" 257
	run tcpopt save - cgroup "$CG_C"
	assert_success
	assert_output --partial "option add cc bbr,reno allow cubic,bbr every exid 0x0101 cgroup /$CG_C"
	link=$(tcpopt -j option show cc cgroup "$CG_C" | jq .link_id)
	tcpopt option add cc bbr,reno allow cubic,bbr every exid 257 cgroup "$CG_C"
	assert_equal "$(tcpopt -j option show cc cgroup "$CG_C" | jq .link_id)" "$link"
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +cc +request bbr,reno allow cubic,bbr +every +accept"
	tcpopt option set cc none cgroup "$CG_C"
	run tcpopt -j option show cc cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.params.request | length' <<<"$output")" 0
}

@test "cc: bad input is a usage error and pins nothing" {
	bad_input cc vegas2
	bad_input cc bbr,bbr
	bad_input cc reno,cubic,bbr,htcp,vegas
	bad_input cc bbr,
	bad_input cc ,bbr
	bad_input cc bbr allow
	bad_input cc bbr allow bbr,,reno
	bad_input cc bbr allow nosuch
	bad_input cc bbr exid 0
	bad_input cc bbr exid 0x10000
	bad_input cc bbr exid 12ab
	bad_input cc bbr kind 255
	bad_input cc bbr kind 28
	bad_input cc bbr frobnicate
	run --separate-stderr tcpopt option add cc vegas2 cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" "tcpopt: option: cc: unknown congestion control \"vegas2\" (choose from: reno, cubic, bbr, dctcp, vegas, westwood, htcp, bic, highspeed, hybla, illinois, scalable, lp, veno, yeah, nv, cdg)"
}
