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

# trickle ADDR [RTT_MS]: the client sends 30 one-byte segments 50 ms apart;
# sets DELAY_MS, the median delay of the server's ACK over the last 10
# (from the segment to the first ACK that covers it, in a capture on the
# server's side), after checking that all 30 went and each of the last 10
# was ACKed.  With RTT_MS the server measures a handshake RTT that long:
# the client's handshake ACK is dropped (nftables: pure ACKs only) and its
# first data, which completes the handshake, waits RTT_MS.
trickle() {
	local addr=$1 rtt_ms=${2:-0} result
	start_capture "$NS_S" "$PCAP" "tcp port $PORT"
	# The server does not read: a reading application ACKs at once what
	# it drains (tcp_cleanup_rbuf), which would hide the timer.
	serve "$addr" --hold 2
	if [ "$rtt_ms" -gt 0 ]; then
		run ip netns exec "$NS_C" nft -f - <<<"table inet slow { chain out {
			type filter hook output priority 0; tcp dport $PORT tcp flags == ack drop; }; }"
		assert_success
	fi
	run in_cgroup "$CG_C" "$NS_C" "$PYTHON" -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
time.sleep(int(sys.argv[3]) / 1000)
for _ in range(30):
    s.send(b"x")
    time.sleep(0.05)
s.close()
' "$addr" $PORT "$rtt_ms"
	assert_success
	assert_wait "$SERVER_PID"
	if [ "$rtt_ms" -gt 0 ]; then
		ip netns exec "$NS_C" nft delete table inet slow
	fi
	stop_capture
	# "SENT ACKED DELAY...": segments sent, how many of the last 10 an
	# ACK covered, and their delays
	result=$(tshark -r "$PCAP" -T fields -e frame.time_relative -e tcp.srcport \
			-e tcp.len -e tcp.seq -e tcp.ack 2>/dev/null | awk -v port=$PORT '
		BEGIN { first = 1 }
		$2 != port && $3 == 1 { n++; end[n] = $4 + 1; t[n] = $1 }
		$2 == port { while (first <= n && $5 >= end[first]) { d[first] = ($1 - t[first]) * 1000; first++ } }
		END {
			for (i = n - 9; i <= n; i++) if (i > 0 && (i in d)) { acked++; list = list " " int(d[i]) }
			print n + 0, acked + 0, list
		}')
	read -r TRICKLE_SENT TRICKLE_ACKED TRICKLE_DELAYS <<<"$result"
	echo "ACK delays of the last 10 of $TRICKLE_SENT segments ($TRICKLE_ACKED ACKed): $TRICKLE_DELAYS ms" >&3
	assert_equal "$TRICKLE_SENT" 30
	assert_equal "$TRICKLE_ACKED" 10
	DELAY_MS=$(tr ' ' '\n' <<<"$TRICKLE_DELAYS" | sort -n | sed -n 5p)
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

@test "delack: over a 300 ms handshake RTT the timeout is the fraction of it; the receiver's max bounds it" {
	# A real RTT (no netem here): the fraction arithmetic, not the floor.
	tcpopt option add delack timeout 0.1 cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	trickle 192.0.2.2 300
	fraction=$DELAY_MS
	tcpopt option set delack max 12ms cgroup "$CG_S"
	trickle 192.0.2.2 300
	bounded=$DELAY_MS
	echo "10% of ~300 ms: $fraction ms; under max 12ms: $bounded ms" >&3
	# 30 ms (8 jiffies at HZ=250: 32) against 12 (3 jiffies), the
	# kernel's 40 ms delayed-ACK timer without the request
	assert [ "$fraction" -ge 24 ]
	assert [ "$fraction" -le 38 ]
	assert [ "$bounded" -le 20 ]
	assert [ "$bounded" -lt $((fraction - 8)) ]
	assert_equal "$(counter delack "$CG_S" applied)" 2
}

@test "delack: filters decide on the wire: dport, dst on the sender; sport, src, dst on the receiver; IPv4, IPv6, v4-mapped" {
	filters_on_the_wire "delack timeout 0.5" "delack" delack find_exp 254 444c
}

@test "delack: segs none, kind 253 and exid on the wire; replace in the same link" {
	tcpopt option add delack timeout 0.5 segs none kind 253 exid 0x1234 cgroup "$CG_C"
	tcpopt option add delack cgroup "$CG_S"
	handshake 192.0.2.2
	# segs none: its byte is 0
	assert_equal "$(find_exp "$SYN" 253 1234)" "fd071234003200"
	assert_equal "$(find_exp "$SYN" 254 444c)" ""
	# a receiver of the default kind and ExID does not see it
	assert_equal "$(counter delack "$CG_S" received)" 0
	tcpopt option add delack kind 253 exid 4660 cgroup "$CG_S" replace
	handshake 192.0.2.2
	assert_equal "$(counter delack "$CG_S" received)" 1
	assert_equal "$(counter delack "$CG_S" applied)" 1
	run tcpopt -j option show delack cgroup "$CG_C"
	assert_success
	link=$(jq .link_id <<<"$output")
	tcpopt option add delack timeout 25% cgroup "$CG_C" replace
	run tcpopt -j option show delack cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '[.link_id, .params.timeout_pct, .kind, .exid] | join(" ")' <<<"$output")" "$link 25 254 17484"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 444c)" "fe07444c001900"
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
	bulk_transfer
	assert_every_segment fe07444c003200 find_exp 254 444c
	received=$(counter delack "$CG_S" received)
	assert [ "$received" -gt 2 ]
	# With the RTT of the moment, every time.
	assert_equal "$(counter delack "$CG_S" applied)" "$received"
}

@test "delack: segs needs the patch set: add refuses it by name on a kernel without" {
	require_feature '!delack_segs'
	run --separate-stderr tcpopt option add delack segs 4 cgroup "$CG_C"
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_regex "$stderr" '^tcpopt: option: delack segs needs the kernel feature delack_segs'
	assert_no_pins "$CG_C"
	run tcpopt -j option add delack cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r .params.segs_supported <<<"$output")" false
}

@test "delack: a received segs request is counted as unsupported on a kernel without" {
	require_feature '!delack_segs'
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
	# tcpopt's patch set: check-kernel runs this suite's patch-set tests in its VM
	require_feature delack_segs
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
	assert_failure 2
	assert_equal "$stderr" "tcpopt: option: invalid timeout \"0.001\" (a fraction of the RTT: 0.01 to 10, or 1% to 1000%, or none)"
}
