#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The delayed-ACK request end to end: the data sender (client) asks, in an
# RFC 6994 option (kind 254, ExID 0x444c, timeout in percent of the
# receiver's RTT, segs), and the receiver (server) sets TCP_BPF_DELACK_MAX
# within its min/max and the kernel's bounds.  The effect is measured on
# the wire: the client sends one byte every 50 ms to a server that does
# not read, and once the receiver leaves quick-ACK mode it holds each ACK
# until its delayed-ACK timer fires (40 ms by default, ~44 measured), or
# until the shorter timeout it was asked for.
# Over veth the RTT is tens of microseconds, so any fraction of it is
# below the kernel's floor of two jiffies: what the request then gets is
# that floor (8 ms at HZ=250), or the receiver's min if that is higher.

load lib/common
load lib/request

bats_require_minimum_version 1.5.0

setup() {
	request_setup
}

teardown() {
	cleanup_all
}

# trickle ADDR: the client sends 30 one-byte segments 50 ms apart; sets
# DELAY_MS, the median delay of the server's ACK over the last 10, from a
# capture on the server's side.
trickle() {
	local addr=$1
	start_capture "$NS_S" "$PCAP" "tcp port $PORT"
	# The server does not read: a reading application ACKs at once what
	# it drains (tcp_cleanup_rbuf), which would hide the timer.
	serve "$addr" --hold 2
	in_cgroup "$CG_C" "$NS_C" "$PYTHON" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for _ in range(30):
    s.send(b"x")
    time.sleep(0.05)
s.close()
' "$addr" $PORT
	wait "$SERVER_PID"
	stop_capture
	DELAY_MS=$(tshark -r "$PCAP" -T fields -e frame.time_relative -e tcp.srcport \
			-e tcp.len -e tcp.seq -e tcp.ack 2>/dev/null | awk -v port=$PORT '
		$2 != port && $3 == 1 { sent[$4 + 1] = $1; n++; order[n] = $4 + 1 }
		$2 == port && ($5 in sent) && !($5 in acked) { acked[$5] = ($1 - sent[$5]) * 1000 }
		END { for (i = n - 9; i <= n; i++) printf "%d\n", acked[order[i]] }' |
		sort -n | sed -n 5p)
	echo "ACK delay: $DELAY_MS ms" >&3
}

@test "delack: without a request the receiver delays its ACKs by about 40 ms" {
	tcpopt option add delack cgroup "$CG_S"
	trickle 192.0.2.2
	assert [ "$DELAY_MS" -ge 30 ]
	assert [ "$DELAY_MS" -le 60 ]
	assert_equal "$(counter delack "$CG_S" received)" 0
}

@test "delack: the SYN asks for half an RTT and the receiver ACKs sooner (IPv4)" {
	tcpopt option add delack timeout 0.5 cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	handshake 192.0.2.2
	# 50% of the RTT, no segs
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c003200"
	assert_equal "$(find_exp "$SYNACK" 254 444c)" ""
	trickle 192.0.2.2
	assert [ "$DELAY_MS" -le 18 ]
	run tcpopt -j option show delack cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused, .stats.malformed, .stats.error] | join(" ")' <<<"$output")" "2 2 0 0 0"
}

@test "delack: the same over IPv6" {
	tcpopt option add delack timeout 25% cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	handshake 2001:db8::2
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c001900"
	trickle 2001:db8::2
	assert [ "$DELAY_MS" -le 18 ]
	assert_equal "$(counter delack "$CG_S" applied)" 2
}

@test "delack: the receiver's min bounds the request" {
	tcpopt option add delack timeout 0.5 cgroup "$CG_C"
	tcpopt option add delack min 25ms cgroup "$CG_S"
	trickle 192.0.2.2
	assert [ "$DELAY_MS" -ge 22 ]
	assert [ "$DELAY_MS" -le 36 ]
	assert_equal "$(counter delack "$CG_S" applied)" 1
}

@test "delack: ignore refuses the request and the timer stays the kernel's" {
	tcpopt option add delack timeout 0.5 cgroup "$CG_C"
	tcpopt option add delack ignore cgroup "$CG_S"
	trickle 192.0.2.2
	assert [ "$DELAY_MS" -ge 30 ]
	run tcpopt -j option show delack cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.refused] | join(" ")' <<<"$output")" "1 0 1"
}

@test "delack: the client's dport filter decides which connections ask" {
	tcpopt option add delack timeout 0.5 dport $((PORT + 1)) cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	trickle 192.0.2.2
	assert [ "$DELAY_MS" -ge 30 ]
	assert_equal "$(counter delack "$CG_S" received)" 0
	tcpopt option set delack dport $PORT cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c003200"
}

@test "delack: the server's dst filter, IPv4 and IPv6" {
	tcpopt option add delack timeout 0.5 cgroup "$CG_C"
	tcpopt option add delack dst 2001:db8::1/128 cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(counter delack "$CG_S" received)" 0
	handshake 2001:db8::2
	assert_equal "$(counter delack "$CG_S" received)" 1
	assert_equal "$(counter delack "$CG_S" applied)" 1
}

@test "delack: every puts it on every segment; each one re-applies it" {
	tcpopt option add delack timeout 0.5 every cgroup "$CG_C"
	tcpopt option add delack every cgroup "$CG_S"
	start_capture "$NS_S" "$PCAP" "tcp dst port $PORT"
	serve 192.0.2.2 --drain
	run connect 192.0.2.2 --send 2000000
	assert_success
	wait "$SERVER_PID"
	stop_capture
	count_carrying fe07444c003200 find_exp 254 444c
	assert [ "$TOTAL" -gt 10 ]
	assert_equal "$WITH" "$TOTAL"
	received=$(counter delack "$CG_S" received)
	assert [ "$received" -gt 2 ]
	# With the RTT of the moment, every time.
	assert_equal "$(counter delack "$CG_S" applied)" "$received"
}

@test "delack: segs needs the patch set: add refuses it by name on a kernel without" {
	tcpopt -j feature | jq -e '.[] | select(.feature == "delack_segs") | .supported == false' >/dev/null ||
		skip "this kernel has delack_segs"
	run --separate-stderr tcpopt option add delack segs 4 cgroup "$CG_C"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_regex "$stderr" '^tcpopt: option: delack segs needs the kernel feature delack_segs'
	cgid=$(stat -c %i "$(cgroup2_root)/$CG_C")
	assert [ ! -e "/sys/fs/bpf/tcpopt/$cgid" ]
	run tcpopt -j option add delack cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r .params.segs_supported <<<"$output")" false
}

@test "delack: a received segs request is counted as unsupported on a kernel without" {
	tcpopt -j feature | jq -e '.[] | select(.feature == "delack_segs") | .supported == false' >/dev/null ||
		skip "this kernel has delack_segs"
	tcpopt option add delack cgroup "$CG_S"
	# timeout 50% and segs 4: the timeout is applied, segs is not
	crafted_syn fe07444c003204
	run tcpopt -j option show delack cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.unsupported, .stats.malformed] | join(" ")' <<<"$output")" "1 1 1 0"
	# segs alone: nothing applied
	crafted_syn fe07444c000004
	run tcpopt -j option show delack cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.unsupported] | join(" ")' <<<"$output")" "2 1 2"
}

@test "delack: segs with the patch set: requested, applied and read back from the socket" {
	tcpopt -j feature | jq -e '.[] | select(.feature == "delack_segs") | .supported' >/dev/null ||
		skip "this kernel lacks delack_segs (tcpopt's patch set: run this suite under kernel/vm-run)"
	tcpopt option add delack timeout 0.5 segs 8 cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c003208"
	# The program counts "applied" only once bpf_getsockopt() gives the
	# value back: the socket has it.
	run tcpopt -j option show delack cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '[.stats.received, .stats.applied, .stats.unsupported, .stats.error] | join(" ")' <<<"$output")" "1 1 0 0"
	assert_equal "$(jq -r .params.segs_supported <<<"$output")" true
	# The kernel's largest.
	tcpopt option set delack segs 255 cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c0032ff"
	assert_equal "$(counter delack "$CG_S" applied)" 2
	assert_equal "$(counter delack "$CG_S" error)" 0
}

malformed_delack() {
	tcpopt option add delack cgroup "$CG_S"
	crafted_syn "$@"
	assert [ -n "$REPORT" ]
	assert_equal "$(counter delack "$CG_S" malformed)" 1
	assert_equal "$(counter delack "$CG_S" applied)" 0
	assert_equal "$(counter delack "$CG_S" received)" 0
}

@test "delack: a request one byte short is malformed" {
	malformed_delack fe06444c0032
}

@test "delack: a request one byte long is malformed" {
	malformed_delack fe08444c00320000
}

@test "delack: a request that asks for nothing is malformed" {
	malformed_delack fe07444c000000
}

@test "delack: a truncated experimental option is malformed" {
	malformed_delack fe02
}

@test "delack: a zero ExID is malformed" {
	malformed_delack fe070000003200
}

@test "delack: a well-formed crafted request is applied (the crafting is sound)" {
	tcpopt option add delack cgroup "$CG_S"
	crafted_syn fe07444c003200
	assert_equal "$(counter delack "$CG_S" applied)" 1
	assert_equal "$(counter delack "$CG_S" malformed)" 0
}

@test "delack: list, show, save agree" {
	tcpopt option add delack timeout 1.5 min 10ms max 100ms exid 0x4444 cgroup "$CG_C"
	run tcpopt -j option show delack cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.params.timeout_pct, .params.segs, .params.min_ms, .params.max_ms, .exid] | join(" ")' <<<"$output")" "150 0 10 100 17476"
	run tcpopt save - cgroup "$CG_C"
	assert_success
	assert_output --partial "option add delack timeout 150% min 10ms max 100ms exid 0x4444 cgroup /$CG_C"
	run tcpopt option list cgroup "$CG_C"
	assert_success
	assert_line --index 1 --regexp "^/$CG_C +delack +timeout 150% segs none min 10ms max 100ms segs_supported (yes|no) +syn +accept"
	tcpopt option set delack timeout none cgroup "$CG_C"
	assert_equal "$(tcpopt -j option show delack cgroup "$CG_C" | jq .params.timeout_pct)" 0
}

@test "delack: bad input is a usage error and pins nothing" {
	bad_input delack timeout 0
	bad_input delack timeout 0.001
	bad_input delack timeout 11
	bad_input delack timeout 1.
	bad_input delack timeout .
	bad_input delack timeout 0%
	bad_input delack timeout 1001%
	bad_input delack timeout abc
	bad_input delack timeout
	bad_input delack segs 0
	bad_input delack segs 256
	bad_input delack min 0
	bad_input delack max 201ms
	bad_input delack min 50ms max 10ms
	bad_input delack 5
	run --separate-stderr tcpopt option add delack timeout 0.001 cgroup "$CG_C"
	assert_success
	assert_equal "$stderr" "tcpopt: option: invalid timeout \"0.001\" (a fraction of the RTT: 0.01 to 10, or 1% to 1000%, or none)"
}
