#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The BPF full mesh (pm set fullmesh cgroup X) follows the client's local
# addresses on live connections, with no tcpopt process running: the
# patch set's local address callbacks, the program's subflows from an
# address that appears, and the close (and RM_ADDR) of those from one that
# goes.  A connection from another cgroup is left alone.

load ../lib/common
load lib

MESH=ktest-mesh		# the client cgroup under pm set fullmesh
OTHER=ktest-other	# a client cgroup without a BPF path manager
PORT=5101		# the mesh connection's server
OTHER_PORT=5102		# the other connection's server
# How soon a live connection must follow an address change, in ms
LATENCY_MS=${KTEST_LATENCY_MS:-5000}

setup() {
	netns_setup
	path_add 2 198.51.100 2001:db8:2
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
	# A third path whose client address the tests add and remove.
	ip link add veth-a3 netns "$NS_A" type veth peer name veth-b3 netns "$NS_B"
	ip -n "$NS_B" addr add 203.0.113.2/24 dev veth-b3
	ip -n "$NS_B" addr add 2001:db8:3::2/64 dev veth-b3 nodad
	ip -n "$NS_A" link set veth-a3 up
	ip -n "$NS_B" link set veth-b3 up
	make_cgroup "$MESH"
	make_cgroup "$OTHER"
}

teardown() {
	failure_dump
	"$TCPOPT" pm del cgroup "/$MESH" 2>/dev/null || true
	cleanup_all
	netns_teardown
}

# serve PORT ANY: an MPTCP receiver in NS_B (its output in server-PORT)
serve() {
	bg in_b python3 "$KTEST_DIR/bulk.py" server "$2" "$1" --mptcp \
		>"$BATS_TEST_TMPDIR/server-$1" 3>&-
	wait_for "$BATS_TEST_TMPDIR/server-$1" listening
}

# connect CGROUP ADDR PORT: an MPTCP client in NS_A and CGROUP, held 30 s
connect() {
	bg in_cgroup "$1" "$NS_A" python3 "$KTEST_DIR/bulk.py" \
		client "$2" "$3" 100000 --mptcp --hold 30 3>&-
}

# from NS PORT ADDR: subflows to or from PORT whose local address is ADDR
from() {
	ip netns exec "$1" ss -Htn state established "( dport = :$2 or sport = :$2 )" |
		awk -v a="$3" '{ l = $3; sub(/:[0-9]+$/, "", l); gsub(/[][]/, "", l) } l == a' |
		wc -l
}

pm_stat() {
	"$TCPOPT" -j pm show | jq -r --arg c "/$MESH" --arg n "$1" \
		'.bpf[] | select(.cgroup == $c) | .stats[$n]'
}

# mesh_follows FAMILY SERVER_ADDR ANNOUNCED NEW_ADDR [NODAD]: the mesh
# connection goes from 4 subflows to 6 when NEW_ADDR is added on veth-a3,
# back to 4 when it is removed, on both ends; the other connection stays
# at 1.  Prints the latencies.
mesh_follows() {
	local any=0.0.0.0 plen=24 t0 add_c add_s del_c del_s
	[ "$1" = 6 ] && { any=::; plen=64; }

	ip -n "$NS_B" mptcp endpoint add "$3" dev veth-b2 signal
	run "$TCPOPT" -n "$NS_A" pm set fullmesh cgroup "/$MESH"
	assert_success
	serve "$PORT" "$any"
	serve "$OTHER_PORT" "$any"
	connect "$MESH" "$2" "$PORT"
	connect "$OTHER" "$2" "$OTHER_PORT"
	# 2 local x 2 remote addresses; the other one has its initial subflow
	wait_subflows "$NS_A" "$PORT" 4
	wait_subflows "$NS_A" "$OTHER_PORT" 1

	# from the moment the address is there (ip's own start-up under TCG
	# is not the kernel's doing)
	ip -n "$NS_A" addr add "$4/$plen" dev veth-a3 ${5:-}
	t0=$(now_ms)
	add_c=$(wait_sf_since "$t0" "$NS_A" "( dport = :$PORT )" 6)
	add_s=$(wait_sf_since "$t0" "$NS_B" "( sport = :$PORT )" 6)
	# from the new address to each address of the peer
	assert_equal "$(from "$NS_A" "$PORT" "$4")" 2

	ip -n "$NS_A" addr del "$4/$plen" dev veth-a3
	t0=$(now_ms)
	del_c=$(wait_sf_since "$t0" "$NS_A" "( dport = :$PORT )" 4)
	# the peer closes its side on the RM_ADDR
	del_s=$(wait_sf_since "$t0" "$NS_B" "( sport = :$PORT )" 4)
	assert_equal "$(from "$NS_A" "$PORT" "$4")" 0
	assert_equal "$(from "$NS_B" "$PORT" "$4")" 0
	echo "IPv$1: $4 added: client +2 subflows after $add_c ms, server $add_s ms;" \
		"removed: client -2 after $del_c ms, server $del_s ms" >&3

	# within LATENCY_MS: a phone moving between networks wants 1 s; under
	# a loaded TCG guest one poll (ss in a netns) alone takes 100-300 ms
	# and the client's count is read before the server's (kernel/README)
	assert [ "$add_c" -le "$LATENCY_MS" ]
	assert [ "$add_s" -le "$LATENCY_MS" ]
	assert [ "$del_c" -le "$LATENCY_MS" ]
	assert [ "$del_s" -le "$LATENCY_MS" ]
	# the connection of the other cgroup never changed
	assert_equal "$(subflows "$NS_A" "$OTHER_PORT")" 1
	assert_equal "$(count_sf "$NS_B" "( sport = :$OTHER_PORT )")" 1
	# 1 + 2 subflows made at establishment and on the ADD_ADDR, 2 for the
	# new address; one close request for the removed one
	assert_equal "$(pm_stat requested)" 5
	assert_equal "$(pm_stat established)" 5
	assert_equal "$(pm_stat closed)" 1
	assert_equal "$(pm_stat failed)" 0
}

@test "fullmesh, IPv4: a live connection gains subflows from an address added, loses them when it goes" {
	mesh_follows 4 192.0.2.2 198.51.100.2 203.0.113.1
}

@test "fullmesh, IPv6: a live connection gains subflows from an address added, loses them when it goes" {
	mesh_follows 6 2001:db8:1::2 2001:db8:2::2 2001:db8:3::1 nodad
}

@test "fullmesh, IPv6 with DAD: subflows from a new address once it is no longer tentative, none refused before" {
	local t0 t_dad t_sf i n

	ip -n "$NS_B" mptcp endpoint add 2001:db8:2::2 dev veth-b2 signal
	"$TCPOPT" -n "$NS_A" pm set fullmesh cgroup "/$MESH" >/dev/null
	serve "$PORT" ::
	connect "$MESH" 2001:db8:1::2 "$PORT"
	wait_subflows "$NS_A" "$PORT" 4

	t0=$(now_ms)
	ip -n "$NS_A" addr add 2001:db8:3::1/64 dev veth-a3
	for i in $(seq 500); do
		# counted first: if the address is still tentative after, it was
		# while they were counted
		n=$(from "$NS_A" "$PORT" 2001:db8:3::1)
		if ! ip -n "$NS_A" -6 addr show dev veth-a3 | grep 2001:db8:3::1 | grep -q tentative; then
			break
		fi
		# while tentative, no subflow can be bound to it: none is asked for
		assert_equal "$n" 0
		sleep 0.02
	done
	t_dad=$(( $(now_ms) - t0 ))
	t_sf=$(wait_sf_since "$t0" "$NS_A" "( dport = :$PORT )" 6)
	echo "DAD done after $t_dad ms, +2 subflows after $t_sf ms" >&3
	assert [ "$t_dad" -ge 200 ]
	assert [ $(( t_sf - t_dad )) -le "$LATENCY_MS" ]
	assert_equal "$(from "$NS_A" "$PORT" 2001:db8:3::1)" 2
	assert_equal "$(pm_stat failed)" 0
	assert_equal "$(pm_stat requested)" 5
}

@test "fullmesh dev ...: an address added on another interface is not used; one on a named interface is, until removed" {
	ip -n "$NS_B" mptcp endpoint add 198.51.100.2 dev veth-b2 signal
	"$TCPOPT" -n "$NS_A" pm set fullmesh dev veth-a1 dev veth-a2 cgroup "/$MESH" >/dev/null
	serve "$PORT" 0.0.0.0
	connect "$MESH" 192.0.2.2 "$PORT"
	wait_subflows "$NS_A" "$PORT" 4

	ip -n "$NS_A" addr add 203.0.113.1/24 dev veth-a3
	# on veth-a1, named by dev: used
	ip -n "$NS_A" addr add 192.0.2.11/24 dev veth-a1
	wait_subflows "$NS_A" "$PORT" 6
	sleep 1
	assert_equal "$(from "$NS_A" "$PORT" 203.0.113.1)" 0
	assert_equal "$(from "$NS_A" "$PORT" 192.0.2.11)" 2
	ip -n "$NS_A" addr del 192.0.2.11/24 dev veth-a1
	wait_subflows "$NS_A" "$PORT" 4
	assert_equal "$(pm_stat requested)" 5
	assert_equal "$(pm_stat failed)" 0
}
