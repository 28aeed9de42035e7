#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# MPTCP path managers over generic netlink: pm show/set (in-kernel and
# userspace path managers, fullmesh endpoints), announce/remove, the pm run
# agent, and the stock-kernel answers of the BPF path managers' commands.  Two namespaces joined by two veth pairs
# (test/lib/mptcp.bash), real MPTCP connections from
# test/helpers/mptcp_{server,client}.c.

load lib/mptcp-suite

teardown() {
	cleanup_all
	# the stand-in pins of the cleanup_all test, if cleanup_all failed it
	if [ -n "${FAKE_ROOT_PINS:-}" ]; then
		rmdir "$FAKE_ROOT_PINS/pm" "$FAKE_ROOT_PINS/mptcp" 2>/dev/null
		[ -z "${FAKE_ROOT_DIR:-}" ] || rmdir "$FAKE_ROOT_DIR" 2>/dev/null
	fi
	return 0
}

@test "pm show: path manager, limits and endpoints of a fresh netns, text and JSON" {
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.path_manager == "kernel" and (.endpoints | length) == 0 and
		(.limits.subflows | type) == "number" and (.limits.add_addr_accepted | type) == "number"'
	run "$TCPOPT" -n "$NS_C" pm show
	assert_success
	assert_line --regexp '^path_manager +kernel$'
	assert_line --regexp '^limits +subflows [0-9]+ add_addr_accepted [0-9]+$'
	# "pm" alone is "pm show"
	show=$output
	run "$TCPOPT" -n "$NS_C" pm
	assert_success
	assert_equal "$output" "$show"
}

@test "pm set limits: applied, kernel's refusal shown, bad input is a usage error" {
	run "$TCPOPT" -n "$NS_C" pm set limits subflows 5 add_addr_accepted 3
	assert_success
	# the kernel's own reader agrees
	run ip -n "$NS_C" mptcp limits show
	assert_success
	assert_output --regexp '^add_addr_accepted 3 subflows 5 ?$'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.limits == {"subflows": 5, "add_addr_accepted": 3}'
	run "$TCPOPT" -n "$NS_C" pm set limits subflows 9
	assert_failure 1
	# the kernel's extack; 6.1 says it without the "(8)"
	assert_output --regexp '^tcpopt: pm: set limits failed: limit greater than maximum( \(8\))?$'
	run "$TCPOPT" -n "$NS_C" -j pm set limits subflows 9
	assert_failure 1
	run jq -e '.error | test("^set limits failed: limit greater than maximum( \\(8\\))?$")' <<<"${lines[1]}"
	assert_success
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.limits.subflows == 5'
	run "$TCPOPT" -n "$NS_C" pm set limits subflows many
	assert_failure 2
	assert_output 'tcpopt: pm: invalid subflows "many"'
	run "$TCPOPT" -n "$NS_C" pm set limits
	assert_failure 2
}

@test "pm set kernel|userspace: switches the netns's path manager" {
	run "$TCPOPT" -n "$NS_C" pm set userspace
	assert_success
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.path_manager == "userspace"'
	run "$TCPOPT" -n "$NS_S" -j pm show
	assert_success
	assert_jq '.path_manager == "kernel"'
	run "$TCPOPT" -n "$NS_C" pm set kernel
	assert_success
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.path_manager == "kernel"'
	run "$TCPOPT" -n "$NS_C" pm set bpf
	assert_failure 2
	assert_output --partial 'unknown pm setting "bpf"'
}

@test "pm set fullmesh: an endpoint per usable address, limits raised, idempotent" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	ip -n "$NS_C" mptcp endpoint add 192.0.2.1 signal
	run --separate-stderr "$TCPOPT" -n "$NS_C" -j pm set fullmesh
	assert_success
	assert_jq '.limits == {"subflows": 8, "add_addr_accepted": 8}'
	assert_jq '[.endpoints[] | "\(.address) \(.action)"] | sort ==
		["192.0.2.1 replaced", "198.51.100.1 added", "2001:db8:1::1 added", "2001:db8:2::1 added"]'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	# No loopback, no link-local; each endpoint subflow + fullmesh.
	assert_jq '[.endpoints[].address] | sort ==
		["192.0.2.1", "198.51.100.1", "2001:db8:1::1", "2001:db8:2::1"]'
	assert_jq 'all(.endpoints[]; .flags == ["subflow", "fullmesh"])'
	assert_jq '.limits == {"subflows": 8, "add_addr_accepted": 8}'
	before=$output
	run --separate-stderr "$TCPOPT" -n "$NS_C" -j pm set fullmesh
	assert_success
	assert_jq 'all(.endpoints[]; .action == "kept") and (.endpoints | length) == 4'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_equal "$output" "$before"
	run "$TCPOPT" -n "$NS_C" pm show
	assert_success
	assert_line --regexp '^2 +198\.51\.100\.1 +- +subflow,fullmesh +-$'
	# the kernel's own reader: the same four, subflow and fullmesh
	run ip -n "$NS_C" mptcp endpoint show
	assert_success
	assert_equal "${#lines[@]}" 4
	for a in 192.0.2.1 198.51.100.1 2001:db8:1::1 2001:db8:2::1; do
		assert_line --regexp "^${a//./\\.} id [0-9]+ subflow fullmesh( dev veth[01])? ?$"
	done
	run ip -n "$NS_C" mptcp limits show
	assert_success
	assert_output --regexp '^add_addr_accepted 8 subflows 8 ?$'
}

@test "pm set fullmesh dev: only the named interface, its link-local address with it" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	# The kernel adds the link-local address shortly after the link is up.
	has_linklocal() { ip -n "$NS_C" -6 addr show dev veth1 scope link | grep -q fe80; }
	wait_for 5 has_linklocal
	run --separate-stderr "$TCPOPT" -n "$NS_C" -j pm set fullmesh dev veth1
	assert_success
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '[.endpoints[] | select(.address | startswith("fe80") | not) | .address] | sort ==
		["198.51.100.1", "2001:db8:2::1"]'
	assert_jq '[.endpoints[] | select(.address | startswith("fe80"))] | length == 1 and .[0].dev == "veth1"'
	run "$TCPOPT" -n "$NS_S" pm set fullmesh dev veth1 dev nosuch
	assert_failure 2
	assert_output 'tcpopt: pm: no such interface "nosuch"'
	run "$TCPOPT" -n "$NS_S" -j pm show
	assert_success
	assert_jq '.endpoints == []'
}

@test "pm set fullmesh: a real connection grows subflows over both paths (both ends, ss -M)" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	start_server "$NS_S" 0.0.0.0 $PORT
	# Control: without the mesh the connection keeps its one subflow.
	start_client "$NS_C" 192.0.2.2 $PORT 1
	sleep 0.5
	run count_subflows "$NS_C"
	assert_success
	assert_output 1
	kill "$CLIENT_PID"
	"$TCPOPT" -n "$NS_C" pm set fullmesh >/dev/null
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8 add_addr_accepted 8
	ip -n "$NS_S" mptcp endpoint add 198.51.100.2 signal
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	wait_for 5 mesh_pairs_are "$NS_C" 4
	run mesh_pairs "$NS_C"
	assert_success
	assert_output "192.0.2.1>192.0.2.2
192.0.2.1>198.51.100.2
198.51.100.1>192.0.2.2
198.51.100.1>198.51.100.2"
	run "$TCPOPT" -n "$NS_C" -j subflow list token "$token"
	assert_success
	assert_jq --argjson t "$token" '.[0].token == $t and .[0].fallback == false'
	assert_jq '[.[0].subflows[] | select(.join)] | length >= 3'
	assert_jq 'all(.[0].subflows[]; .state == "established" and .rtt_us > 0 and .cwnd > 0)'
	wait_for 5 mesh_pairs_are "$NS_S" 4
	run mesh_pairs "$NS_S"
	assert_success
	assert_output "192.0.2.2>192.0.2.1
192.0.2.2>198.51.100.1
198.51.100.2>192.0.2.1
198.51.100.2>198.51.100.1"
	# ss agrees: the msk of this token counts the additional subflows.
	n=$(( $(count_subflows "$NS_C") - 1 ))
	hex=$(printf '%x' "$token")
	run ip netns exec "$NS_C" ss -Mni
	assert_success
	assert_output --regexp "subflows:$n .*token:$hex "
}

@test "pm set fullmesh: IPv6 connection meshes over both IPv6 paths" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	"$TCPOPT" -n "$NS_C" pm set fullmesh >/dev/null
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8 add_addr_accepted 8
	ip -n "$NS_S" mptcp endpoint add 2001:db8:2::2 signal
	start_server "$NS_S" :: $PORT
	start_client "$NS_C" 2001:db8:1::2 $PORT 1
	wait_for 5 mesh_pairs_are "$NS_C" 4
	wait_for 5 mesh_pairs_are "$NS_S" 4
	run mesh_pairs "$NS_C"
	assert_success
	assert_output "2001:db8:1::1>2001:db8:1::2
2001:db8:1::1>2001:db8:2::2
2001:db8:2::1>2001:db8:1::2
2001:db8:2::1>2001:db8:2::2"
	run subflow_pairs "$NS_S"
	assert_success
	assert_line "2001:db8:2::2>2001:db8:2::1"
}

@test "pm announce/remove (userspace PM): ADD_ADDR (with a port too) and REMOVE_ADDR reach the peer, on the wire" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	start_bg_tcpopt "$OUT/mon" -n "$NS_S" -j monitor
	start_capture "$NS_S" "$OUT/path0.pcap" "tcp port $PORT"
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	run "$TCPOPT" -n "$NS_C" pm announce 198.51.100.1 token "$token" id 7
	assert_success
	wait_for 5 grep -q '"announced"' "$OUT/mon"
	run "$TCPOPT" -n "$NS_C" pm remove id 7 token "$token"
	assert_success
	wait_for 5 grep -q '"removed"' "$OUT/mon"
	# Without id: a free one is chosen (not 0, the initial subflow's).
	run "$TCPOPT" -n "$NS_C" pm announce 2001:db8:2::1 token "$token"
	assert_success
	wait_for 5 grep -q '"2001:db8:2::1"' "$OUT/mon"
	# An address with a port
	run "$TCPOPT" -n "$NS_C" pm announce 198.51.100.1 token "$token" id 8 port 6000
	assert_success
	wait_for 5 grep -q '"dport":6000' "$OUT/mon"
	stop_bg "$BG_PID"
	stop_capture
	# The wire: the client's ADD_ADDRs (not the server's echoes), in order
	v6id=$(jq -s '[.[] | select(.event == "announced" and .daddr == "2001:db8:2::1")][0].rem_id' "$OUT/mon")
	run mptcp_on_wire "$OUT/path0.pcap" \
		"ip.src == 192.0.2.1 && tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 0" \
		addrid ipv4 ipv6 port
	assert_success
	assert_output "7 198.51.100.1
$v6id 2001:db8:2::1
8 198.51.100.1 6000"
	# and the server echoed each
	run mptcp_on_wire "$OUT/path0.pcap" \
		"ip.src == 192.0.2.2 && tcp.options.mptcp.subtype == 3 && tcp.options.mptcp.echo == 1" addrid
	assert_success
	assert_equal "$(sort -n <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' 7 8 "$v6id" | sort -n | tr '\n' ' ')"
	# REMOVE_ADDR (subtype 4) of id 7
	run mptcp_on_wire "$OUT/path0.pcap" "ip.src == 192.0.2.1 && tcp.options.mptcp.subtype == 4" addrid
	assert_success
	assert_output "7"
	stoken=$(jq -s '[.[] | select(.event == "created")][0].token' "$OUT/mon")
	run jq -s -e --argjson t "$stoken" '[.[] | select(.event == "announced" and .token == $t and
		.daddr == "198.51.100.1" and .rem_id == 7)] | length == 1' "$OUT/mon"
	assert_success
	run jq -s -e '[.[] | select(.event == "removed" and .rem_id == 7)] | length == 1' "$OUT/mon"
	assert_success
	run jq -s -e '[.[] | select(.event == "announced" and .daddr == "2001:db8:2::1" and .rem_id > 0)] | length == 1' "$OUT/mon"
	assert_success
	run jq -s -e '[.[] | select(.event == "announced" and .daddr == "198.51.100.1" and .rem_id == 8 and
		.dport == 6000)] | length == 1' "$OUT/mon"
	assert_success
}

@test "pm run ndiffports 3: a burst of 20 connections, 3 subflows each, true counts" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8
	start_bg_tcpopt "$OUT/mon" -n "$NS_C" -j monitor
	MON=$BG_PID
	start_bg_tcpopt "$OUT/agent" -n "$NS_C" -j pm run ndiffports 3
	AGENT=$BG_PID
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 20
	all_three() {
		"$TCPOPT" -n "$1" -j subflow list |
			jq -e 'length == 20 and all(.[]; (.subflows | length) == 3)' >/dev/null	# lint: bare-jq (a predicate for wait_for)
	}
	wait_for 10 all_three "$NS_C"
	wait_for 10 all_three "$NS_S"
	# Same address pair, different source ports.
	run "$TCPOPT" -n "$NS_C" -j subflow list
	assert_success
	assert_jq 'all(.[]; [.subflows[].lport] | unique | length == 3)'
	assert_jq 'all(.[].subflows[]; .laddr == "192.0.2.1" and .raddr == "192.0.2.2")'
	kill "$CLIENT_PID"
	wait_for 10 events_seen "$OUT/mon" closed 20
	stop_bg "$AGENT"
	assert_equal "$BG_STATUS" 0
	stop_bg "$MON"
	run jq -e '.mode == "ndiffports" and .subflows == 3 and .connections == 20 and
		.subflows_created == 40 and .subflow_errors == 0 and .overruns == 0' "$OUT/agent"
	assert_success
	# The agent counted exactly the events a second listener saw.
	monitor_events=$(wc -l <"$OUT/mon")
	run jq -e --argjson n "$monitor_events" '.events == $n' "$OUT/agent"
	assert_success
	for ev in created established sub_established closed; do
		n=$(grep -c "\"event\":\"$ev\"" "$OUT/mon")
		run jq -e --arg e "$ev" --argjson n "$n" '.events_by_type[$e] == $n' "$OUT/agent"
		assert_success
	done
	assert_equal "$(grep -c '"sub_established"' "$OUT/mon")" 40
}

@test "pm run: overruns are measured, and the connections of the lost events recovered from sock_diag" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8
	start_bg_tcpopt "$OUT/mon" -n "$NS_C" -j monitor rcvbuf 4194304
	MON=$BG_PID
	start_bg_tcpopt "$OUT/agent" -n "$NS_C" -j pm run ndiffports 2 rcvbuf 1024
	AGENT=$BG_PID
	start_server "$NS_S" 0.0.0.0 $PORT
	# A stopped agent reads nothing: a 2 KiB buffer overflows in the burst.
	kill -STOP "$AGENT"
	start_client "$NS_C" 192.0.2.2 $PORT 30
	kill -CONT "$AGENT"
	all_two() {
		"$TCPOPT" -n "$NS_C" -j subflow list |
			jq -e 'length == 30 and all(.[]; (.subflows | length) == 2)' >/dev/null	# lint: bare-jq (a predicate for wait_for)
	}
	wait_for 10 all_two
	stop_bg "$AGENT"
	assert_equal "$BG_STATUS" 0
	stop_bg "$MON"
	monitor_events=$(wc -l <"$OUT/mon")
	assert [ "$monitor_events" -ge 60 ]
	# events were lost, yet every connection was served: the lost ones
	# from the kernel's view (recovered), after a reconciliation
	run jq -e --argjson n "$monitor_events" '.overruns >= 1 and .events < $n and
		.connections == 30 and .recovered >= 1 and .reconciliations >= 2 and
		.subflows_created == 30 and .rcvbuf < 8192' "$OUT/agent"
	assert_success
}

@test "pm run fullmesh: subflows from every local address, to announced ones too" {
	"$TCPOPT" -n "$NS_C" pm set userspace
	"$TCPOPT" -n "$NS_S" pm set limits subflows 8 add_addr_accepted 8
	ip -n "$NS_S" mptcp endpoint add 198.51.100.2 signal
	start_bg_tcpopt "$OUT/agent" -n "$NS_C" -j pm run fullmesh
	AGENT=$BG_PID
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	wait_for 5 subflows_are "$NS_C" 4
	run subflow_pairs "$NS_C"
	assert_success
	assert_output "192.0.2.1>192.0.2.2
192.0.2.1>198.51.100.2
198.51.100.1>192.0.2.2
198.51.100.1>198.51.100.2"
	stop_bg "$AGENT" TERM
	assert_equal "$BG_STATUS" 0
	run jq -e '.mode == "fullmesh" and .connections == 1 and .subflows_created == 3 and
		.subflow_errors == 0 and .events_by_type.announced == 1' "$OUT/agent"
	assert_success
}

# The BPF path managers need the kernel patch set (test/kernel/mptcp.bats
# runs them in its VM); this kernel lacks it, and tcpopt falls back.
@test "stock kernel: pm show says no BPF path manager; pm set fullmesh cgroup falls back to endpoints, says so" {
	require_feature '!mptcp_bpf_pm'
	run "$TCPOPT" -j feature
	assert_success
	assert_jq '.[] | select(.feature == "mptcp_bpf_pm") | .supported == false'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.bpf_supported == false and .bpf == []'
	run "$TCPOPT" -n "$NS_C" pm show
	assert_success
	assert_line --regexp '^bpf_supported +no$'
	CGROUP_REL=/$(test_tag)pm
	make_cgroup "${CGROUP_REL#/}"
	run --separate-stderr "$TCPOPT" -n "$NS_C" -j pm set fullmesh cgroup "$CGROUP_REL"
	assert_success
	assert_equal "$stderr" "tcpopt: pm: no BPF path manager in this kernel (see \"tcpopt feature\": mptcp_bpf_pm); used the in-kernel path manager's fullmesh endpoints, for the whole network namespace, not cgroup $CGROUP_REL"
	assert_jq '(.endpoints | length) == 4'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '(.endpoints | length) == 4 and .bpf == []'
	# nothing pinned for a path manager that is not there: not for this
	# cgroup, and no "pm" attachment anywhere
	assert_no_pins "$CGROUP_REL"
	run find /sys/fs/bpf -path '*/tcpopt/*/pm'
	assert_success
	assert_output ""
	run "$TCPOPT" pm del cgroup "$CGROUP_REL"
	assert_failure 1
	assert_output "tcpopt: pm: no BPF path manager on cgroup $CGROUP_REL"
}

@test "stock kernel: pm set ndiffports returns at once, exit 1, naming the patch set and the agent; nothing changes" {
	require_feature '!mptcp_bpf_pm'
	CGROUP_REL=/$(test_tag)pm
	make_cgroup "${CGROUP_REL#/}"
	before=$("$TCPOPT" -n "$NS_C" -j pm show)
	run timeout 10 "$TCPOPT" -n "$NS_C" pm set ndiffports 3 cgroup "$CGROUP_REL"
	assert_failure 1
	assert_output "tcpopt: pm: ndiffports in the kernel needs tcpopt's patch set (see \"tcpopt feature\": mptcp_bpf_pm); on this kernel the netlink agent does it: \"tcpopt pm run ndiffports 3 cgroup $CGROUP_REL\" (tcpopt-agent@.service runs it as a service)"
	run timeout 10 "$TCPOPT" -n "$NS_C" -j pm set ndiffports 2
	assert_failure 1
	echo "${lines[1]}" | assert jq -e '.error | test("pm run ndiffports 2")'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_equal "$output" "$before"
	# the same from a batch file (tcpopt.service at boot)
	echo 'pm set ndiffports 2' >"$OUT/batch"
	run timeout 10 "$TCPOPT" -n "$NS_C" -b "$OUT/batch"
	assert_failure 1
	assert_output --partial 'ndiffports in the kernel needs tcpopt'"'"'s patch set'
}

@test "stock kernel: pm set fullmesh follow returns at once, exit 1, names the agent, changes nothing; pm run endpoints follows" {
	require_feature '!mptcp_bpf_pm'
	run timeout 10 "$TCPOPT" -n "$NS_C" pm set fullmesh dev veth0 follow
	assert_failure 1
	assert_output 'tcpopt: pm: no BPF path manager in this kernel (see "tcpopt feature": mptcp_bpf_pm), and "follow" would stay in the foreground: set the endpoints without it, and keep them current with the agent "tcpopt pm run endpoints dev ..." (tcpopt-agent@.service)'
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.endpoints == []'
	ip -n "$NS_C" addr add 203.0.113.1/24 dev veth1
	CLEANUP_FILES+=("$OUT/follow" "$OUT/follow.err")
	"$TCPOPT" -n "$NS_C" -j pm run endpoints dev veth0 >"$OUT/follow" 2>"$OUT/follow.err" &
	FOLLOW=$!
	CLEANUP_PIDS+=($!)
	has_endpoint() { "$TCPOPT" -n "$NS_C" -j pm show | jq -e --arg a "$1" '[.endpoints[].address] | index($a) != null' >/dev/null; }
	wait_for 5 has_endpoint 192.0.2.1
	run has_endpoint 203.0.113.1
	assert_failure
	ip -n "$NS_C" addr add 192.0.2.21/24 dev veth0
	wait_for 5 has_endpoint 192.0.2.21
	# pm show lists the agent while it runs
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq --argjson p "$FOLLOW" '.agents == [{"pid": $p, "mode": "endpoints", "subflows": null, "cgroup": null, "syncs": .agents[0].syncs}] and .agents[0].syncs >= 2'
	stop_bg "$FOLLOW" TERM
	assert_equal "$BG_STATUS" 0
	# one JSON document per sync
	run jq -e -s 'length >= 2 and all(.[]; .endpoints | type == "array")' "$OUT/follow"
	assert_success
	run "$TCPOPT" -n "$NS_C" -j pm show
	assert_success
	assert_jq '.agents == []'
}

@test "pm bad input at run time: wrong PM type, unknown token, the kernel's refusals" {
	# with the patch set "pm set fullmesh" attaches a BPF path manager
	# instead (test/kernel); these test the endpoints
	require_feature '!mptcp_bpf_pm'
	start_server "$NS_S" 0.0.0.0 $PORT
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	# Wrong PM type: the client still runs the in-kernel PM.
	run "$TCPOPT" -n "$NS_C" pm announce 198.51.100.1 token "$token" id 3
	assert_failure 1
	assert_output --regexp '^tcpopt: pm: announce failed: .*userspace PM not selected$'
	run "$TCPOPT" -n "$NS_C" pm run ndiffports 2
	assert_failure 1
	assert_output 'tcpopt: pm: run needs the userspace path manager, the netns uses "kernel" (see "tcpopt pm set userspace")'
	"$TCPOPT" -n "$NS_C" pm set userspace
	run "$TCPOPT" -n "$NS_C" pm set fullmesh
	assert_failure 1
	assert_output 'tcpopt: pm: set fullmesh needs the kernel path manager, the netns uses "userspace" (see "tcpopt pm set kernel")'
	# A connection made now is the userspace PM's.
	start_client "$NS_C" 192.0.2.2 $PORT 1
	token=$(cat "$CLIENT_OUT")
	# Unknown token.
	bad=$(( (token + 1) % 4294967296 ))
	run "$TCPOPT" -n "$NS_C" pm announce 198.51.100.1 token "$bad" id 3
	assert_failure 1
	assert_output 'tcpopt: pm: announce failed: invalid token'
	run "$TCPOPT" -n "$NS_C" pm remove id 3 token "$bad"
	assert_failure 1
	assert_output 'tcpopt: pm: remove failed: invalid token'
	# The kernel's own refusal of a well-formed request.
	run "$TCPOPT" -n "$NS_C" pm announce 198.51.100.1 token "$token" id 0
	assert_failure 1
	# the kernel's extack ("invalid addr id or flags" on 6.1)
	assert_output --regexp '^tcpopt: pm: announce failed: invalid addr id( or flags)?$'
	# Nothing happened to the connection.
	run "$TCPOPT" -n "$NS_C" -j subflow list token "$token"
	assert_success
	assert_jq '.[0].subflows | length == 1'
}

@test "pm bad input: usage errors exit 2 with one line" {
	run "$TCPOPT" -n "$NS_C" pm announce 192.0.2.1 token 1 id 256
	assert_failure 2
	assert_output 'tcpopt: pm: invalid id "256" (0 to 255)'
	run "$TCPOPT" -n "$NS_C" pm announce 192.0.2.1
	assert_failure 2
	assert_output 'tcpopt: pm: missing "token TOKEN"'
	run "$TCPOPT" -n "$NS_C" pm remove token 1
	assert_failure 2
	assert_output 'tcpopt: pm: missing "id ID"'
	run "$TCPOPT" -n "$NS_C" pm run ndiffports 0
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" pm run ndiffports 2 fullmesh
	assert_failure 2
	assert_output 'tcpopt: pm: choose one of "ndiffports N", "fullmesh" and "endpoints"'
	run "$TCPOPT" -n "$NS_C" pm run endpoints rcvbuf 4096
	assert_failure 2
	assert_output 'tcpopt: pm: "endpoints" keeps the netns'"'"'s endpoints: no cgroup, no rcvbuf'
	run "$TCPOPT" -n "$NS_C" pm run fullmesh dev veth0
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" pm run fullmesh cgroup /nosuch-i18
	assert_failure 1
	assert_output --partial 'unknown cgroup "/nosuch-i18"'
	# a batch file never hangs on an agent
	echo 'pm run fullmesh' >"$OUT/batch"
	run timeout 10 "$TCPOPT" -n "$NS_C" -b "$OUT/batch"
	assert_failure 2
	assert_output --partial 'pm run stays in the foreground: not in a batch file'
}

@test "pm set ndiffports, pm del: bad input is a usage error" {
	run "$TCPOPT" -n "$NS_C" pm set ndiffports
	assert_failure 2
	assert_output 'tcpopt: pm: missing the number of subflows (ndiffports N)'
	for n in 0 9 abc; do
		run "$TCPOPT" -n "$NS_C" pm set ndiffports "$n"
		assert_failure 2
		assert_output "tcpopt: pm: invalid ndiffports \"$n\" (1 to 8)"
	done
	run "$TCPOPT" -n "$NS_C" pm run ndiffports 2 rcvbuf 12
	assert_failure 2
	assert_output 'tcpopt: pm: invalid rcvbuf "12" (1024 to 1073741824 bytes)'
	run "$TCPOPT" -n "$NS_C" pm set ndiffports 2 rcvbuf 4096
	assert_failure 2
	assert_output 'tcpopt: pm: unknown keyword "rcvbuf" (choose from: cgroup)'
	run "$TCPOPT" -n "$NS_C" pm set fullmesh follow follow dev
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" pm set fullmesh dev lo dev lo dev lo dev lo dev lo dev lo dev lo dev lo dev lo
	assert_failure 2
	assert_output 'tcpopt: pm: too many interfaces (at most 8)'
	run "$TCPOPT" -n "$NS_C" pm del frob
	assert_failure 2
	run "$TCPOPT" -n "$NS_C" pm set fullmesh cgroup /nosuch
	assert_failure 1
	assert_output --partial 'unknown cgroup "/nosuch"'
	# a batch (tcpopt.service at boot) never hangs on a foreground loop
	echo 'pm set fullmesh follow' >"$OUT/batch"
	run timeout 10 "$TCPOPT" -n "$NS_C" -b "$OUT/batch"
	assert_failure 2
	assert_output --partial '"follow" stays in the foreground: not in a batch file'
}

# test/lib/common.bash: "pm set fullmesh" without a cgroup attaches the BPF
# PM to "/" (kernel patch set), and "mptcp enable" without one the upgrade
# program; cleanup_all takes away what the test attached to "/", and keeps
# what was there before the test.  The attachments are stood in for by
# their pin directories (this host has no BPF PM), which is what "pm del"
# and "mptcp disable" remove.
@test "cleanup_all: detaches the BPF PM and MPTCP upgrade of / that the test made, keeps the earlier ones" {
	dir=$(pin_dir_of_cgroup /)
	[ -z "$ROOT_ATTACHED_BEFORE" ] ||
		fail "the root cgroup had$ROOT_ATTACHED_BEFORE attached before this test"
	[ -d "$dir" ] || FAKE_ROOT_DIR=$dir
	FAKE_ROOT_PINS=$dir
	# a BPF PM that was there before the test stays
	mkdir -p "$dir/pm" "$dir/mptcp"
	ROOT_ATTACHED_BEFORE=" pm"
	cleanup_all
	ROOT_ATTACHED_BEFORE=
	kept= left=
	if [ -d "$dir/pm" ]; then kept=pm; rmdir "$dir/pm"; fi
	if [ -e "$dir/mptcp" ]; then left=mptcp; fi
	assert_equal "$kept" pm
	assert_equal "$left" ""
	# the test's own go
	mkdir -p "$dir/pm" "$dir/mptcp"
	cleanup_all
	assert [ ! -e "$dir/pm" ]
	assert [ ! -e "$dir/mptcp" ]
}
