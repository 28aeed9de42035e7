#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# TCP_BPF_DELACK_SEGS: set from sockops, read back, and visible on the wire as
# a different number of ACKs for the same bulk transfer.

load lib

BYTES=4000000

setup() {
	netns_setup
	# One segment per skb on the wire, so that the receiver sees what a
	# real NIC would deliver (no TSO/GSO super-packets over veth).
	in_a ethtool -K veth-a1 tso off gso off >/dev/null
	in_b ethtool -K veth-b1 gro off >/dev/null
	bpf_load delack
}

teardown() {
	bpf_unload delack
	netns_teardown
}

# settle FILE: wait until FILE stops growing (1 s without change, 30 s max)
settle() {
	local i last=-1 size
	for i in $(seq 30); do
		size=$(stat -c %s "$1")
		[ "$size" -eq "$last" ] && return 0
		last=$size
		sleep 1
	done
}

# transfer SEGS: bulk transfer to a receiver with TCP_BPF_DELACK_SEGS=SEGS;
# prints the number of ACKs the receiver sent, counted in a capture.
transfer() {
	local segs=$1 cap=$BATS_TEST_TMPDIR/cap-$1 dump srv

	map_set delack delack_state 0 "$segs"
	# not through in_b, so that $! is tcpdump itself (ip netns exec execs)
	ip netns exec "$NS_B" tcpdump -Z root -i veth-b1 -nn -U -w "$cap.pcap" \
		'tcp and src host 192.0.2.2 and src port 5001' 2>"$cap.log" 3>&- &
	dump=$!
	wait_for "$cap.log" "listening on"
	in_b python3 "$KTEST_DIR/bulk.py" server 192.0.2.2 5001 \
		--rcvlowat 1000000 >"$cap.srv" 3>&- &
	srv=$!
	wait_for "$cap.srv" listening
	in_a python3 "$KTEST_DIR/bulk.py" client 192.0.2.2 5001 "$BYTES"
	wait "$srv"
	grep -qx "$BYTES" "$cap.srv"
	# tcpdump is slow under emulation: stop it only once it wrote everything
	settle "$cap.pcap"
	kill -TERM "$dump"
	wait "$dump" || true
	tcpdump -nn -r "$cap.pcap" 'tcp[tcpflags] & tcp-ack != 0' 2>/dev/null | wc -l
}

@test "bpf_setsockopt(TCP_BPF_DELACK_SEGS) is accepted and read back" {
	run transfer 8
	assert_success
	assert [ "$(map_get delack delack_state 1)" -ge 1 ]
	assert_equal "$(map_get delack delack_state 2)" 8
}

@test "TCP_BPF_DELACK_SEGS takes 0..255 and refuses 256 with EINVAL" {
	run transfer 255
	assert_success
	assert_equal "$(map_get delack delack_state 2)" 255
	run transfer 256
	assert_success
	assert_equal "$(map_get delack delack_state 1)" 1
	assert_equal "$(map_get delack delack_state 3)" -22
}

@test "delack segs 8 sends far fewer ACKs than the default, segs 1 more" {
	local dflt eight one

	dflt=$(transfer 0)
	eight=$(transfer 8)
	one=$(transfer 1)
	echo "ACKs for $BYTES bytes: default $dflt, segs 8: $eight, segs 1: $one" >&3
	# Under emulation the receiver is slow and the counts vary from run
	# to run (the server reads with a large SO_RCVLOWAT so that its reads,
	# and the window updates they send, stay rare).  Measured for 2800
	# segments: default 1700-2000, segs 8 700-1470, segs 1 2480-2710.
	assert [ $(( eight * 100 )) -lt $(( dflt * 95 )) ]
	assert [ $(( one * 100 )) -gt $(( dflt * 110 )) ]
	assert [ $(( eight * 10 )) -lt $(( one * 7 )) ]
}
