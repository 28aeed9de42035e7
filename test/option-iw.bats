#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The initial-window request end to end: the client asks, in an RFC 6994
# option (kind 254, ExID 0x4957, 16-bit segments), and the server sets
# TCP_BPF_IW, capped by its max, before it sends any data.  The effect is
# read from the server's socket (tcp_info.snd_cwnd right after accept,
# before a byte is sent); Linux starts at 10 segments.

load lib/common
load lib/request

bats_require_minimum_version 1.5.0

@test "iw: the SYN asks for 40 segments and the server starts with them (IPv4)" {
	tcpopt option add iw 40 cgroup "$CG_C"
	tcpopt option add iw cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570028"
	assert_equal "$(find_exp "$SYNACK" 254 4957)" ""
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 40
	assert_equal "$(jq -r .snd_cwnd <<<"$CLIENT_REPORT")" 10
	run tcpopt -j option show iw cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused, .stats.malformed] | join(" ")' <<<"$output")" "1 1 0 0"
}

@test "iw: the same over IPv6" {
	tcpopt option add iw 25 cgroup "$CG_C"
	tcpopt option add iw cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570019"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 25
}

# first_flight: the server's first flight, in full-sized segments: what it
# sends before it hears any ACK.  The client's ACKs are dropped (nftables
# in its namespace) from the moment the server starts sending until it has
# retransmitted, so that only the congestion window limits the flight;
# tail loss probes are off, so that the first segment sent again is the
# first retransmission.  Sets FLIGHT (segments of MSS 1448: MTU 1500 with
# timestamps).
first_flight() {
	local go=$BATS_TEST_TMPDIR/go
	rm -f "$go"
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_early_retrans=0
	start_capture "$NS_S" "$PCAP" "tcp port $PORT"
	serve 192.0.2.2 --start-file "$go" --send 1000000
	connect 192.0.2.2 --drain >/dev/null &
	CLEANUP_PIDS+=($!)
	CLIENT=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/srv.out" ] && break
		sleep 0.05
	done
	run ip netns exec "$NS_C" nft -f - <<<"table inet iwtest { chain out {
		type filter hook output priority 0; tcp dport $PORT drop; }; }"
	assert_success
	touch "$go"
	# the first retransmission (the RTO, 200 ms or more): the flight is over
	for _ in $(seq 100); do
		tshark -r "$PCAP" -Y "tcp.srcport == $PORT && tcp.analysis.retransmission" 2>/dev/null |
			grep -q . && break
		sleep 0.05
	done
	run ip netns exec "$NS_C" nft delete table inet iwtest
	assert_success
	assert_wait "$SERVER_PID"
	assert_wait "$CLIENT"
	stop_capture
	# the highest byte sent before the first segment sent again
	run sh -c "tshark -r '$PCAP' -Y 'tcp.srcport == $PORT && tcp.len > 0' -T fields \
		-e tcp.seq -e tcp.len 2>/dev/null | awk '\$1 < top { exit } { top = \$1 + \$2 } END { print top - 1 }'"
	assert_success
	assert [ $((output % 1448)) -eq 0 ]
	FLIGHT=$((output / 1448))
}

@test "iw: the server's first flight is the requested window (10 without the request)" {
	tcpopt option add iw cgroup "$CG_S"
	first_flight
	assert_equal "$FLIGHT" 10
	tcpopt option add iw 30 cgroup "$CG_C"
	first_flight
	assert_equal "$(sed -n 1p "$BATS_TEST_TMPDIR/srv.out" | jq -r .snd_cwnd)" 30
	assert_equal "$FLIGHT" 30
}

@test "iw: a request above the server's max gets max, never more" {
	tcpopt option add iw 1000 cgroup "$CG_C"
	tcpopt option add iw max 20 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe06495703e8"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 20
	assert_equal "$(counter iw "$CG_S" applied)" 1
}

@test "iw: the default max is 64 segments" {
	tcpopt option add iw 500 cgroup "$CG_C"
	tcpopt option add iw cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 64
	assert_equal "$(tcpopt -j option show iw cgroup "$CG_S" | jq .params.max)" 64
}

@test "iw: ignore refuses the request and the socket keeps Linux's window" {
	tcpopt option add iw 40 cgroup "$CG_C"
	tcpopt option add iw ignore cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 10
	run tcpopt -j option show iw cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused] | join(" ")' <<<"$output")" "1 0 1"
}

@test "iw: without the program the request does nothing" {
	tcpopt option add iw 40 cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570028"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 10
}

@test "iw: with syncookies the server reads the request from the first ACK" {
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
	tcpopt option add iw 33 cgroup "$CG_C"
	tcpopt option add iw cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$ACK" 254 4957)" "fe0649570021"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 33
}

@test "iw: the server's sport filter decides which connections it serves" {
	tcpopt option add iw 40 cgroup "$CG_C"
	tcpopt option add iw sport $((PORT + 1)) cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570028"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 10
	assert_equal "$(counter iw "$CG_S" received)" 0
	tcpopt option set iw sport $PORT cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 40
}

@test "iw: the client's dst filter, IPv4 and IPv6" {
	tcpopt option add iw 40 dst 2001:db8::/64 cgroup "$CG_C"
	tcpopt option add iw cgroup "$CG_S"
	handshake 192.0.2.2
	assert [ -n "$SYN" ]
	assert_equal "$(find_exp "$SYN" 254 4957)" ""
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 10
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570028"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 40
}

@test "iw: filters decide on the wire: dport, dst on the sender; sport, src, dst on the receiver; IPv4, IPv6, v4-mapped" {
	filters_on_the_wire "iw 40" "iw" iw find_exp 254 4957
}

@test "iw: none asks nothing; replace swaps the request in the same link" {
	tcpopt option add iw cgroup "$CG_S"
	tcpopt option add iw none max 20 cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" ""
	assert_equal "$(counter iw "$CG_C" sent)" 0
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 10
	run tcpopt -j option show iw cgroup "$CG_C"
	assert_success
	link=$(jq .link_id <<<"$output")
	assert_equal "$(jq -r '[.params.request, .params.max] | join(" ")' <<<"$output")" "0 20"
	tcpopt option add iw 25 cgroup "$CG_C" replace
	run tcpopt -j option show iw cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.link_id, .params.request, .params.max] | join(" ")' <<<"$output")" "$link 25 64"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" "fe0649570019"
	assert_equal "$(jq -r .snd_cwnd <<<"$SERVER_REPORT")" 25
	tcpopt option set iw none cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 4957)" ""
}

@test "iw: the server may ask the client too (SYN-ACK)" {
	tcpopt option add iw 12 cgroup "$CG_S"
	tcpopt option add iw cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYNACK" 254 4957)" "fe064957000c"
	assert_equal "$(jq -r .snd_cwnd <<<"$CLIENT_REPORT")" 12
}

@test "iw: every puts it on every segment; only the handshake's is applied" {
	tcpopt option add iw 40 every cgroup "$CG_C"
	tcpopt option add iw every cgroup "$CG_S"
	bulk_transfer
	assert_every_segment fe0649570028 find_exp 254 4957
	assert_equal "$(jq -r .snd_cwnd < "$BATS_TEST_TMPDIR/srv.out")" 40
	assert [ "$(counter iw "$CG_S" received)" -gt 2 ]
	assert_equal "$(counter iw "$CG_S" applied)" 1
}

malformed_iw() {
	tcpopt option add iw cgroup "$CG_S"
	crafted_syn "$@"
	assert_equal "$(jq -r .snd_cwnd <<<"$REPORT")" 10
	assert_equal "$(counter iw "$CG_S" malformed)" 1
	assert_equal "$(counter iw "$CG_S" applied)" 0
}

@test "iw: a request one byte short is malformed" {
	malformed_iw fe05495700
}

@test "iw: a request one byte long is malformed" {
	malformed_iw fe074957002800
}

@test "iw: zero segments is malformed" {
	malformed_iw fe0649570000
}

@test "iw: a truncated experimental option is malformed" {
	malformed_iw fe0349
}

@test "iw: a zero ExID is malformed" {
	malformed_iw fe0600000028
}

@test "iw: a well-formed crafted request is applied (the crafting is sound)" {
	tcpopt option add iw cgroup "$CG_S"
	crafted_syn fe0649570028
	assert_equal "$(jq -r .snd_cwnd <<<"$REPORT")" 40
}

@test "iw: list, show, save agree; set changes max in place" {
	tcpopt option add iw 40 max 100 kind 253 dport 443 cgroup "$CG_C"
	run tcpopt -j option show iw cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.params.request, .params.max, .kind, .exid, .filter.dport] | join(" ")' <<<"$output")" "40 100 253 18775 443"
	run tcpopt save - cgroup "$CG_C"
	assert_success
	assert_output --partial "option add iw 40 max 100 dport 443 kind 253 cgroup /$CG_C"
	tcpopt option set iw max 64 cgroup "$CG_C"
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +iw +request 40 max 64 +syn +accept +probe +dport 443 +yes$"
	run tcpopt save - cgroup "$CG_C"
	assert_success
	assert_output --partial "option add iw 40 dport 443 kind 253 cgroup /$CG_C"
}

@test "iw: bad input is a usage error and pins nothing" {
	bad_input iw 0
	bad_input iw 1025
	bad_input iw 40x
	bad_input iw -5
	bad_input iw 40 max 0
	bad_input iw 40 max 1025
	bad_input iw 40 max
	bad_input iw 40 exid 0x
	bad_input iw 40 kind 254x
	run --separate-stderr tcpopt option add iw 40 max 5000 cgroup "$CG_C"
	assert_failure 2
	assert_equal "$stderr" "tcpopt: option: invalid max \"5000\" (1 to 1024 segments)"
}
