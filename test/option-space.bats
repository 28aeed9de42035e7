#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Several options on one cgroup at once, and the 40-byte option space
# running out: what does not fit is skipped and counted as no_room, the
# rest goes out, and the connection never breaks.
#
# A Linux SYN (and SYN-ACK) already carries MSS (4), SACK-permitted (2),
# timestamps (10) and window scale (3): 20 bytes, rounded, are left.  An
# established segment carries timestamps only (12 with padding): 28 left.

load lib/common
load lib/conn

PORT=5006

setup() {
	conn_setup
}

teardown() {
	cleanup_all
}

# exid_of NAME CGROUP: the ExID (4 hex digits) an attached option uses.
exid_of() {
	printf '%04x' "$(tcpopt -j option show "$1" cgroup "$2" | jq -r '.exid // .params.exid')"
}

@test "space: uto, exp and the request options all on one SYN" {
	tcpopt option add uto 120s cgroup "$CG_C"
	tcpopt option add exp 0x0001 0x cgroup "$CG_C"
	# 4 + 4 so far; cc with one name (5) and iw (6) still fit in 20.
	tcpopt option add cc reno cgroup "$CG_C"
	tcpopt option add iw 10 cgroup "$CG_C"
	run tcpopt -j option list cgroup "$CG_C"
	assert_success
	assert_jq 'map(.option) | sort == ["cc", "exp", "iw", "uto"]'
	handshake 192.0.2.2
	assert_equal "$(find_option "$SYN" 28)" 1c040078
	assert_equal "$(find_exp "$SYN" 254 0001)" fe040001
	assert_equal "$(find_exp "$SYN" 254 "$(exid_of cc "$CG_C")")" fe05434301
	assert_equal "$(find_exp "$SYN" 254 "$(exid_of iw "$CG_C")")" fe064957000a
	# nothing was left out
	run tcpopt -j stats cgroup "$CG_C"
	assert_success
	assert_jq 'length == 4 and all(.no_room == 0 and .error == 0 and .sent >= 1)'
}

@test "space: on a full SYN the option that does not fit is skipped, counted, sent on the ACK" {
	# 4 + 12 + 12 = 28 bytes: 20 fit on the SYN and SYN-ACK, 28 on the ACK
	for cg in "$CG_C" "$CG_S"; do
		tcpopt option add uto 120s min 1s cgroup "$cg"
		tcpopt option add exp 0x00aa 0x0102030405060708 cgroup "$cg"
		tcpopt option add exp 0x00bb 0x1112131415161718 cgroup "$cg"
	done
	handshake 192.0.2.2
	# the connection was made, and the options run in the order they
	# were added: the last one found no room
	assert_equal "$(jq -r .role <<<"$SERVER_REPORT")" server
	for opts in "$SYN" "$SYNACK"; do
		assert_equal "$(find_option "$opts" 28)" 1c040078
		assert_equal "$(find_exp "$opts" 254 00aa)" fe0c00aa0102030405060708
		assert_equal "$(find_exp "$opts" 254 00bb)" ""
	done
	# on the first ACK, beside timestamps only, all three fit
	assert_equal "$(find_option "$ACK" 28)" 1c040078
	assert_equal "$(find_exp "$ACK" 254 00aa)" fe0c00aa0102030405060708
	assert_equal "$(find_exp "$ACK" 254 00bb)" fe0c00bb1112131415161718
	run tcpopt -j stats option exp 0x00bb cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.sent) \(.no_room) \(.error)"' <<<"$output")" "1 1 0"
	run tcpopt -j stats option exp 0x00aa cgroup "$CG_C"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.sent) \(.no_room) \(.error)"' <<<"$output")" "2 0 0"
	run tcpopt -j stats option exp 0x00bb cgroup "$CG_S"
	assert_success
	assert_equal "$(jq -r '.[0] | "\(.sent) \(.no_room) \(.error)"' <<<"$output")" "0 1 0"
	# what did get through was read by the peer
	assert_equal "$(stat_of exp 0x00aa received "$CG_S")" 1
	assert_equal "$(stat_of exp 0x00bb received "$CG_S")" 1
	assert_equal "$(stat_of uto applied "$CG_S")" 1
}

@test "space: an option that never fits leaves the data transfer intact (every, IPv6)" {
	# 32 bytes: too many beside the SYN's 20 and the data segments' 28
	tcpopt option add uto 120s every cgroup "$CG_C"
	tcpopt option add exp 0x00cc "0x$(printf '%02x' $(seq 1 28))" every cgroup "$CG_C"
	bulk_transfer 2001:db8::2
	# up to the client's FIN (the TIME-WAIT socket's last ACK runs no
	# program): the big one on none, the small one still on every segment
	assert_every_segment "" find_exp 254 00cc
	segs=$TOTAL
	assert_every_segment 1c040078 find_option 28
	assert_equal "$(stat_of exp 0x00cc sent "$CG_C")" 0
	no_room=$(stat_of exp 0x00cc no_room "$CG_C")
	assert [ "$no_room" -ge "$segs" ]
	assert_equal "$(stat_of exp 0x00cc error "$CG_C")" 0
}

@test "space: removing the option that took the room gives it to the next" {
	tcpopt option add exp 0x00aa "0x$(printf '%02x' $(seq 1 12))" cgroup "$CG_C"
	tcpopt option add exp 0x00bb "0x$(printf '%02x' $(seq 1 12))" cgroup "$CG_C"
	handshake 192.0.2.2
	assert_equal "$(find_exp "$SYN" 254 00bb)" ""
	assert_equal "$(find_exp "$ACK" 254 00bb)" ""
	# no room on the SYN nor on the first ACK (16 + 16 > 28)
	assert_equal "$(stat_of exp 0x00bb no_room "$CG_C")" 2
	tcpopt option del exp 0x00aa cgroup "$CG_C"
	handshake 192.0.2.2
	assert [ -n "$(find_exp "$SYN" 254 00bb)" ]
	assert [ -n "$(find_exp "$ACK" 254 00bb)" ]
	assert_equal "$(stat_of exp 0x00bb no_room "$CG_C")" 2
	assert_equal "$(stat_of exp 0x00bb sent "$CG_C")" 2
}

@test "space: an option done with the handshake leaves another's every-segment writes on" {
	# Both share the socket's one write-callback flag: uto on every
	# segment must keep it after exp (handshake only) is done with it.
	tcpopt option add exp 0x0002 0xab cgroup "$CG_C"
	tcpopt option add uto 120s every cgroup "$CG_C"
	bulk_transfer
	assert_every_segment 1c040078 find_option 28
	# exp: the SYN and the first ACK only
	count_carrying fe050002ab find_exp 254 0002
	assert_equal "$WITH" 2
	# And no write flag is left for a handshake-only option alone: on a
	# new connection its program runs for the handshake, a dozen times,
	# not twice (reserve, write) for each segment of the transfer.
	tcpopt option del uto cgroup "$CG_C"
	bpf_stats_on
	before=$(sockops_runs "$CG_C")
	bulk_transfer
	runs=$(( $(sockops_runs "$CG_C") - before ))
	count_carrying fe050002ab find_exp 254 0002
	echo "exp alone: its program ran $runs times for $TOTAL segments" >&3
	assert_equal "$WITH" 2
	assert [ "$TOTAL" -gt 10 ]
	assert [ "$runs" -gt 0 ]
	assert [ "$runs" -lt "$TOTAL" ]
	assert_equal "$(stat_of exp 0x0002 error "$CG_C")" 0
}

@test "space: a child cgroup's every-segment option keeps writing beside a parent cgroup's handshake-only one" {
	# The drivers of both cgroups run on the client's sockets, the
	# child's first: the parent's, done with the handshake after it, must
	# leave the write callbacks on for the child's.
	local inner=$CG_C/inner
	make_cgroup "$inner"	# removed before its parent (cleanup goes backwards)
	tcpopt option add exp 0x0002 0xab cgroup "$CG_C"
	tcpopt option add uto 120s every cgroup "$inner"
	start_capture "$NS_S" "$PCAP" "tcp dst port $PORT"
	serve 192.0.2.2 --drain
	run in_cgroup "$inner" "$NS_C" "$HELPERS/tcpprobe" client 192.0.2.2 $PORT --send 2000000
	assert_success
	wait "$SERVER_PID"
	stop_capture
	count_carrying 1c040078 find_option 28
	assert [ "$TOTAL" -gt 10 ]
	assert_equal "$WITH" "$TOTAL"
	# exp: the SYN and the first ACK only
	count_carrying fe050002ab find_exp 254 0002
	assert_equal "$WITH" 2
}
