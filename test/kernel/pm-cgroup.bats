#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A BPF path manager on a cgroup below the root (pm set ndiffports N cgroup
# PATH): the connections made in that cgroup, and in its children, get it;
# a sibling's keep the in-kernel path manager; "pm del cgroup PATH" gives
# the cgroup's new connections back to it.  (test/kernel/mptcp.bats has the
# root cgroup; pm-addr.bats the full mesh of a cgroup following addresses.)

load ../lib/common
load ../lib/mptcp
load lib

PM=ktest-pm		# the cgroup under the BPF path manager
OTHER=ktest-plain	# a sibling without one
PORT=5201

setup() {
	netns_setup
	ip -n "$NS_B" mptcp limits set subflows 8 add_addr_accepted 8
	make_cgroup "$PM/child"
	make_cgroup "$OTHER"
	start_server "$NS_B" 0.0.0.0 $PORT
}

teardown() {
	"$TCPOPT" pm del cgroup "/$PM" >/dev/null 2>&1 || true
	cleanup_all
	netns_teardown
}

# client_in CGROUP: one MPTCP connection from CGROUP in NS_A, held open;
# its token in TOKEN.
client_in() {
	local out=$BATS_TEST_TMPDIR/client-${1//\//-}
	CLEANUP_FILES+=("$out")
	in_cgroup "$1" "$NS_A" "$HELPERS/mptcp_client" 192.0.2.2 $PORT 1 >"$out" 3>&- &
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$out" ] && break
		sleep 0.1
	done
	TOKEN=$(cat "$out")
	[ -n "$TOKEN" ] || fail "no connection from $1"
}

# subflows_of TOKEN: the subflows of NS_A's connection TOKEN
subflows_of() {
	"$TCPOPT" -n "$NS_A" -j subflow list token "$1" | jq '.[0].subflows | length'
}

# assert_subflows_of TOKEN N: the connection reaches N subflows (10 s)
assert_subflows_of() {
	local n
	for _ in $(seq 100); do
		n=$(subflows_of "$1")
		[ "$n" = "$2" ] && return 0
		sleep 0.1
	done
	fail "connection $1 has $n subflows, not $2"
}

@test "pm set ndiffports on a cgroup below the root: its connections and its children's, not a sibling's" {
	run "$TCPOPT" -j pm set ndiffports 3 cgroup "/$PM"
	assert_success
	assert_jq --arg c "/$PM" '.cgroup == $c and .path_manager == "ndiffports" and
		.subflows == 3 and .attached == true'
	cgid=$(jq .cgroup_id <<<"$output")
	assert_equal "$cgid" "$(stat -c %i "$(cgroup2_root)/$PM")"
	assert [ -e "/sys/fs/bpf/tcpopt/$cgid/pm/link" ]
	# attached there, and nowhere else
	run bpftool -j cgroup show "$(cgroup2_root)/$PM"
	assert_success
	assert_jq 'length == 1'
	run bpftool -j cgroup show "$(cgroup2_root)/$OTHER"
	assert_success
	assert_equal "${output:-[]}" "[]"

	client_in "$PM"
	in_pm=$TOKEN
	client_in "$PM/child"
	in_child=$TOKEN
	client_in "$OTHER"
	in_other=$TOKEN
	assert_subflows_of "$in_pm" 3
	assert_subflows_of "$in_child" 3
	# the sibling's stays alone (the in-kernel PM has no endpoint here)
	sleep 1
	assert_equal "$(subflows_of "$in_other")" 1
	run "$TCPOPT" -j pm show
	assert_success
	assert_jq --arg c "/$PM" '(.bpf | length) == 1 and .bpf[0].cgroup == $c and
		.bpf[0].stats.claimed == 2 and .bpf[0].stats.established == 4 and .bpf[0].stats.failed == 0'
	run "$TCPOPT" pm show
	assert_success
	assert_output --regexp "/$PM +ndiffports +3 +.* +yes +claimed 2 requested 4 failed 0 established 4 "
}

@test "pm del cgroup PATH: the cgroup's path manager goes, its new connections are the in-kernel PM's" {
	run "$TCPOPT" pm set ndiffports 2 cgroup "/$PM"
	assert_success
	cgid=$(stat -c %i "$(cgroup2_root)/$PM")
	client_in "$PM"
	before=$TOKEN
	assert_subflows_of "$before" 2

	run "$TCPOPT" -j pm del cgroup "/$PM"
	assert_success
	run "$TCPOPT" -j pm show
	assert_success
	assert_jq '.bpf == []'
	assert [ ! -e "/sys/fs/bpf/tcpopt/$cgid/pm" ]
	run bpftool -j cgroup show "$(cgroup2_root)/$PM"
	assert_success
	assert_equal "${output:-[]}" "[]"
	# a new connection from the cgroup: one subflow
	client_in "$PM"
	sleep 1.5
	assert_equal "$(subflows_of "$TOKEN")" 1
	# nothing left to delete
	run "$TCPOPT" pm del cgroup "/$PM"
	assert_failure 1
	assert_output "tcpopt: pm: no BPF path manager on cgroup /$PM"
}
