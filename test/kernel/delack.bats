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

# transfer SEGS: bulk transfer to a receiver with TCP_BPF_DELACK_SEGS=SEGS;
# prints the number of ACKs the receiver sent, counted in a capture.
transfer() {
	local segs=$1 cap=$BATS_TEST_TMPDIR/cap-$1 dump srv

	map_set delack delack_state 0 "$segs"
	in_b tcpdump -Z root -i veth-b1 -nn -U -w "$cap.pcap" \
		'tcp and src host 192.0.2.2 and src port 5001' 2>"$cap.log" &
	dump=$!
	wait_for "$cap.log" "listening on"
	in_b python3 "$KTEST_DIR/bulk.py" server 192.0.2.2 5001 >"$cap.srv" &
	srv=$!
	wait_for "$cap.srv" listening
	in_a python3 "$KTEST_DIR/bulk.py" client 192.0.2.2 5001 "$BYTES"
	wait "$srv"
	grep -qx "$BYTES" "$cap.srv"
	sleep 0.5
	kill -INT "$dump"
	wait "$dump" || true
	tcpdump -nn -r "$cap.pcap" 'tcp[tcpflags] & tcp-ack != 0' 2>/dev/null | wc -l
}

@test "bpf_setsockopt(TCP_BPF_DELACK_SEGS) is accepted and read back" {
	run transfer 8
	assert_success
	assert [ "$(map_get delack delack_state 1)" -ge 1 ]
	assert_equal "$(map_get delack delack_state 2)" 8
}

@test "TCP_BPF_DELACK_SEGS out of range is refused with EINVAL" {
	run transfer 256
	assert_success
	assert_equal "$(map_get delack delack_state 1)" 0
	assert_equal "$(map_get delack delack_state 3)" -22
}

@test "delack segs 8 sends far fewer ACKs than the default, segs 1 more" {
	local dflt eight one

	dflt=$(transfer 0)
	eight=$(transfer 8)
	one=$(transfer 1)
	echo "ACKs for $BYTES bytes: default $dflt, segs 8: $eight, segs 1: $one" >&3
	# The default ACKs every second segment; 8 should need at most about
	# a quarter of that plus window updates, 1 about twice as many.
	assert [ $(( eight * 2 )) -lt "$dflt" ]
	assert [ $(( one * 10 )) -gt $(( dflt * 15 )) ]
}
