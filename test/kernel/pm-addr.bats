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
# How soon a live connection must follow an address change, in ms, from
# the address's change to the MPTCP events of the subflows in user space
LATENCY_MS=${KTEST_LATENCY_MS:-1000}
# The same, polled with ss (each poll 100-300 ms under TCG; the client's
# count is read before the server's): what the state checks wait for
POLL_MS=${KTEST_POLL_MS:-5000}

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

# stamp NS FILE: tcpopt's MPTCP events in NS, a JSON object a line, each
# with "t_ms", the wall clock when it reached user space, into FILE.  The
# monitor itself starts at once (python would take seconds under TCG: the
# events of a connection made meanwhile would be missed); killing it ends
# the stamper too.
stamp() {
	"$TCPOPT" -n "$1" -j monitor 3>&- > >(python3 -u -c '
import json, sys, time
for line in sys.stdin:
    ev = json.loads(line)
    ev["t_ms"] = time.time_ns() // 1000000
    print(json.dumps(ev), flush=True)
' >"$2" 3>&-) &
	CLEANUP_PIDS+=($!)
}

# event_ms FILE EVENT PORT ADDR N T0: the ms from T0 (now_ms) to the N-th
# EVENT of a subflow of PORT to or from ADDR in FILE (stamp); fails when
# fewer came
event_ms() {
	jq -s --arg e "$2" --argjson p "$3" --arg a "$4" --argjson n "$5" --argjson t0 "$6" \
		'[.[] | select(.event == $e and (.sport == $p or .dport == $p) and
			(.saddr == $a or .daddr == $a)) | .t_ms] | sort |
		 if length >= $n then .[$n - 1] - $t0 else error("\(length) of \($n)") end' "$1"
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
	local any=0.0.0.0 plen=24 t0 t_add t_del add_c add_s del_c del_s ev file name t lat=()
	[ "$1" = 6 ] && { any=::; plen=64; }

	ip -n "$NS_B" mptcp endpoint add "$3" dev veth-b2 signal
	run "$TCPOPT" -n "$NS_A" pm set fullmesh cgroup "/$MESH"
	assert_success
	serve "$PORT" "$any"
	serve "$OTHER_PORT" "$any"
	stamp "$NS_A" "$BATS_TEST_TMPDIR/ev-a"
	stamp "$NS_B" "$BATS_TEST_TMPDIR/ev-b"
	connect "$MESH" "$2" "$PORT"
	connect "$OTHER" "$2" "$OTHER_PORT"
	# 2 local x 2 remote addresses; the other one has its initial subflow
	wait_subflows "$NS_A" "$PORT" 4
	wait_subflows "$NS_A" "$OTHER_PORT" 1
	# both monitors were listening: they saw the first subflows join
	wait_for "$BATS_TEST_TMPDIR/ev-a" sub_established
	wait_for "$BATS_TEST_TMPDIR/ev-b" sub_established

	# The polls time from the moment ip returns (its own start-up under
	# TCG is not the kernel's doing), the events from before ip starts
	# (the subflows' events come before ip has returned: measured from
	# its return they were 170-250 ms early)
	t_add=$(now_ms)
	ip -n "$NS_A" addr add "$4/$plen" dev veth-a3 ${5:-}
	t0=$(now_ms)
	add_c=$(wait_sf_since "$t0" "$NS_A" "( dport = :$PORT )" 6)
	add_s=$(wait_sf_since "$t0" "$NS_B" "( sport = :$PORT )" 6)
	# from the new address to each address of the peer
	assert_equal "$(from "$NS_A" "$PORT" "$4")" 2

	t_del=$(now_ms)
	ip -n "$NS_A" addr del "$4/$plen" dev veth-a3
	t0=$(now_ms)
	del_c=$(wait_sf_since "$t0" "$NS_A" "( dport = :$PORT )" 4)
	# the peer closes its side on the RM_ADDR
	del_s=$(wait_sf_since "$t0" "$NS_B" "( sport = :$PORT )" 4)
	assert_equal "$(from "$NS_A" "$PORT" "$4")" 0
	assert_equal "$(from "$NS_B" "$PORT" "$4")" 0
	echo "IPv$1: $4 added: client +2 subflows after $add_c ms, server $add_s ms;" \
		"removed: client -2 after $del_c ms, server $del_s ms (ss polls)" >&3
	assert [ "$add_c" -le "$POLL_MS" ]
	assert [ "$add_s" -le "$POLL_MS" ]
	assert [ "$del_c" -le "$POLL_MS" ]
	assert [ "$del_s" -le "$POLL_MS" ]

	# within LATENCY_MS (a phone moving between networks wants 1 s), by
	# the events of the two new subflows (both ends) and of their close:
	# ip's start included, an upper bound
	for ev in "ev-a sub_established $t_add" "ev-b sub_established $t_add" \
		  "ev-a sub_closed $t_del" "ev-b sub_closed $t_del"; do
		read -r file name t <<<"$ev"
		run event_ms "$BATS_TEST_TMPDIR/$file" "$name" "$PORT" "$4" 2 "$t"
		assert_success
		lat+=("$output")
	done
	echo "IPv$1: events: added, client's 2nd subflow after ${lat[0]} ms, server's ${lat[1]} ms;" \
		"removed, client's 2nd close after ${lat[2]} ms, server's ${lat[3]} ms" >&3
	for t in "${lat[@]}"; do
		assert [ "$t" -le "$LATENCY_MS" ]
	done
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
	stamp "$NS_A" "$BATS_TEST_TMPDIR/ev-a"
	connect "$MESH" 2001:db8:1::2 "$PORT"
	wait_subflows "$NS_A" "$PORT" 4
	wait_for "$BATS_TEST_TMPDIR/ev-a" sub_established

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
	run event_ms "$BATS_TEST_TMPDIR/ev-a" sub_established "$PORT" 2001:db8:3::1 2 "$t0"
	assert_success
	echo "DAD done after $t_dad ms, +2 subflows after $t_sf ms (ss polls)," \
		"the 2nd subflow's event after $output ms" >&3
	assert [ "$t_dad" -ge 200 ]
	assert [ $(( t_sf - t_dad )) -le "$POLL_MS" ]
	# the poll saw DAD done at t_dad or later: the subflows came within
	# LATENCY_MS of that
	assert [ $(( output - t_dad )) -le "$LATENCY_MS" ]
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
