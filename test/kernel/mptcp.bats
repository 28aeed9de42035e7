#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The MPTCP sockops callbacks and kfuncs, and the BPF path managers built on
# them, on real MPTCP connections between two namespaces.

load lib

setup() {
	netns_setup
	path_add 2 198.51.100 2001:db8:2
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
}

teardown() {
	[ -n "${CLIENT_PID:-}" ] && kill "$CLIENT_PID" 2>/dev/null
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	bpf_unload "${PROG:-none}"
	netns_teardown
}

# events SIDE OP: how many times callback OP fired on SIDE (0 client, 1 server)
events() {
	map_get mptcp_events mptcp_events $(( $2 + 32 * $1 ))
}

@test "each MPTCP sockops callback fires, with the token get_info reports" {
	PROG=mptcp_events
	bpf_load mptcp_events
	ip -n "$NS_A" mptcp limits set subflows 4 add_addr_accepted 4
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 id 5 signal

	mptcp_server 5001
	mptcp_client 192.0.2.2 5001 4
	# the client's in-kernel PM joins the announced address
	wait_subflows "$NS_A" 5001 2
	# RM_ADDR: the client closes that subflow
	ip -n "$NS_B" mptcp endpoint delete id 5
	wait_subflows "$NS_A" 5001 1
	mptcp_finish
	sleep 0.5

	local op name
	for op in CREATED:16 ESTABLISHED:17 CLOSED:18 SUBFLOW_ESTABLISHED:19 \
		  SUBFLOW_CLOSED:20 ADDR_ANNOUNCED:21 ADDR_REMOVED:22; do
		name=${op%:*}
		echo "client $name: $(events 0 "${op#*:}")  server $name: $(events 1 "${op#*:}")" >&3
		assert [ "$(events 0 "${op#*:}")" -ge 1 ]
	done
	for op in 16 17 18 19; do
		assert [ "$(events 1 "$op")" -ge 1 ]
	done
	assert_equal "$(map_get mptcp_events mptcp_checks 1)" 0
	assert [ "$(map_get mptcp_events mptcp_checks 0)" -ge 11 ]
	# the MPTCP socket is not a locked tcp_sock: no setsockopt on it
	assert_equal "$(map_get mptcp_events mptcp_checks 2)" 0
}

@test "without BPF_SOCK_OPS_MPTCP_CB_FLAG no MPTCP callback fires" {
	PROG=mptcp_events
	bpf_load mptcp_events
	map_set mptcp_events mptcp_checks 4 1
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 id 5 signal

	mptcp_server 5002
	mptcp_client 192.0.2.2 5002 1
	mptcp_finish
	local op
	for op in 16 17 18 19 20 21 22; do
		assert_equal "$(events 0 "$op")" 0
		assert_equal "$(events 1 "$op")" 0
	done
}

@test "ndiffports opens N subflows over the same address pair, the in-kernel PM none" {
	PROG=pm_ndiffports
	bpf_load pm_ndiffports
	map_set pm_ndiffports ndiffports_config 0 4
	# an endpoint the in-kernel PM would use for a subflow of its own,
	# were the connection not claimed by the BPF path manager
	ip -n "$NS_A" mptcp limits set subflows 8 add_addr_accepted 8
	ip -n "$NS_A" mptcp endpoint add 198.51.100.1 dev veth-a2 subflow

	mptcp_server 5003
	mptcp_client 192.0.2.2 5003 6
	wait_subflows "$NS_A" 5003 4
	sleep 2
	assert_equal "$(subflows "$NS_A" 5003)" 4
	# all of them between the same two addresses
	run sh -c "ip netns exec $NS_A ss -Htn state established '( dport = :5003 )' | awk '{print \$3, \$4}' | sed 's/:[0-9]*\$//; s/:[0-9]* / /' | sort -u | wc -l"
	assert_output 1
	mptcp_finish
	assert_equal "$(map_get pm_ndiffports ndiffports_stats 0)" 1
	assert_equal "$(map_get pm_ndiffports ndiffports_stats 1)" 3
	assert_equal "$(map_get pm_ndiffports ndiffports_stats 2)" 0
}

@test "fullmesh builds the IPv4 mesh and follows an address announced later" {
	PROG=pm_fullmesh
	bpf_load pm_fullmesh
	fullmesh_local 0 4 192.0.2.1
	fullmesh_local 1 4 198.51.100.1
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 signal

	mptcp_server 5004
	mptcp_client 192.0.2.2 5004 10
	# 2 local x 2 remote addresses
	wait_subflows "$NS_A" 5004 4
	ip -n "$NS_B" addr add 198.51.100.3/24 dev veth-b2
	ip -n "$NS_B" mptcp endpoint add 198.51.100.3 dev veth-b2 signal
	wait_subflows "$NS_A" 5004 6
	mptcp_finish
	assert_equal "$(map_get pm_fullmesh fullmesh_stats 0)" 1
	assert_equal "$(map_get pm_fullmesh fullmesh_stats 2)" 0
}

@test "fullmesh builds the IPv6 mesh" {
	PROG=pm_fullmesh
	bpf_load pm_fullmesh
	fullmesh_local 0 6 2001:db8:1::1
	fullmesh_local 1 6 2001:db8:2::1
	fullmesh_local 2 4 192.0.2.1
	ip -n "$NS_B" mptcp endpoint add 2001:db8:2::2 dev veth-b2 signal

	mptcp_server 5005 v6
	mptcp_client 2001:db8:1::2 5005 8
	wait_subflows "$NS_A" 5005 4
	mptcp_finish
	assert_equal "$(map_get pm_fullmesh fullmesh_stats 2)" 0
}
