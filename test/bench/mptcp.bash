# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: MPTCP bursts under a path manager.  Sourced after lib.bash
# by measure.bash (the host half: the netlink agent) and by vm-mptcp (inside
# the VM of the kernel patch set: the netlink agent and the BPF path
# manager, interleaved).  Needs TCPOPT, BENCH_BIN, WORK, CG_ROOT, MP_BURST,
# MP_TIMEOUT, PORT_MPTCP and the namespaces of make_namespaces.
#
# A burst: MP_BURST MPTCP connections opened at once from the client
# namespace and held open while a path manager adds N-1 subflows to each
# (connrate burst counts the established ones with MPTCP_TCPINFO, whoever
# opened them).  Path managers ("pm"):
#   none     N=1, the reference
#   netlink  "tcpopt pm run ndiffports N": the agent, userspace PM
#   bpf      "tcpopt pm set ndiffports N cgroup C": the BPF ndiffports PM on
#            the clients' cgroup, in-kernel PM type (needs the patch set)

MP_CG=$BENCH_TAG/mptcp		# the clients (burst, agent); the BPF PM's cgroup
MP_CG_SRV=$BENCH_TAG/mptcp-srv

# mptcp_setup: the server side and the checks; on failure, status 1 and
# the reason in MP_REASON (not on stdout: this must run in our shell, it
# starts the server).
MP_REASON=
mptcp_setup() {
	local err

	MP_REASON=
	if ! "$TCPOPT" pm help 2>&1 | grep -q 'pm run'; then
		MP_REASON='this tcpopt has no "pm run ndiffports" (issue 4)'
	elif [ ! -x "$BENCH_BIN/connrate" ]; then
		MP_REASON="connrate was not built"
	elif [ "$(ip netns exec "$NS_C" sysctl -n net.mptcp.enabled 2>/dev/null)" != 1 ]; then
		MP_REASON="MPTCP is not enabled in this kernel (net.mptcp.enabled)"
	# Only the connecting side's PM acts; the server accepts the subflows.
	elif ! err=$("$TCPOPT" -n "$NS_S" pm set limits subflows 8 2>&1); then
		MP_REASON="pm set limits failed: $err"
	elif ! make_cgroup "$MP_CG" || ! make_cgroup "$MP_CG_SRV"; then
		MP_REASON="could not create the cgroups $MP_CG, $MP_CG_SRV"
	else
		bg_in_cgroup "$MP_CG_SRV" "$NS_S" "$BENCH_BIN/connrate" server "$ADDR_S" \
			"$PORT_MPTCP" mptcp hold >"$WORK/srv-mptcp.log" 2>&1
		wait_listen "$NS_S" "$PORT_MPTCP" ||
			MP_REASON="the MPTCP server did not start: $(head -c 200 "$WORK/srv-mptcp.log")"
	fi
	[ -z "$MP_REASON" ]
}

# mptcp_pm_type kernel|userspace: the client namespace's PM type (for the
# connections opened from now on); the error on stdout.
mptcp_pm_type() {
	local err

	if ! err=$("$TCPOPT" -n "$NS_C" pm set "$1" 2>&1); then
		echo "pm set $1 failed: $err"
		return 1
	fi
}

# stop_agent PID: SIGINT makes "pm run" print its report.
stop_agent() {
	local pid=$1 i

	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for i in "${!CLEANUP_PIDS[@]}"; do
		[ "${CLEANUP_PIDS[i]}" = "$pid" ] && unset 'CLEANUP_PIDS[i]'
	done
}

# mptcp_burst RUN N PM: one burst; appends its row to $WORK/mptcp.jsonl.
# An error (the PM could not be set up) is in the row, never fatal.  One jq
# per burst: in the VM a jq process takes most of a second.
mptcp_burst() {
	local run=$1 n=$2 pm=$3 apid="" err="" out

	for out in agent burst bpf-before bpf-after; do
		: >"$WORK/$out.json"	# what a PM that was not set up leaves empty
	done
	case $pm in
	netlink)
		if err=$(mptcp_pm_type userspace); then
			bg_in_cgroup "$MP_CG" "$NS_C" "$TCPOPT" -j pm run ndiffports "$n" \
				>"$WORK/agent.json" 2>"$WORK/agent.err"
			apid=$!
			sleep 0.3	# subscribed to the events
		fi
		;;
	bpf)
		# On a kernel without the patch set "pm set ndiffports" would run
		# the agent in the foreground: the timeout bounds that mistake.
		if err=$(mptcp_pm_type kernel) &&
		   ! err=$(timeout 30 "$TCPOPT" -n "$NS_C" pm set ndiffports "$n" \
				cgroup "$MP_CG" 2>&1 >/dev/null); then
			err="pm set ndiffports $n failed: $err"
		fi
		# its counters, from "pm show -j" (key "bpf"), before and after
		[ -z "$err" ] && "$TCPOPT" -j pm show >"$WORK/bpf-before.json" 2>/dev/null
		;;
	esac
	if [ -z "$err" ]; then
		fg_in_cgroup "$MP_CG" "$NS_C" timeout $((MP_TIMEOUT + 30)) \
			"$BENCH_BIN/connrate" burst "$ADDR_S" "$PORT_MPTCP" "$MP_BURST" "$n" \
			"$MP_TIMEOUT" mptcp >"$WORK/burst.json" 2>&1
	fi
	[ -n "$apid" ] && stop_agent "$apid"
	if [ "$pm" = bpf ] && [ -z "$err" ]; then
		"$TCPOPT" -j pm show >"$WORK/bpf-after.json" 2>/dev/null
		"$TCPOPT" -n "$NS_C" pm del cgroup "$MP_CG" >/dev/null 2>&1
	fi
	# The row on the first line, the log line on the second.
	out=$(jq -nrc --argjson run "$run" --argjson n "$n" --arg pm "$pm" --arg err "$err" \
		--arg cg "$MP_CG" --rawfile b "$WORK/burst.json" --rawfile a "$WORK/agent.json" \
		--rawfile before "$WORK/bpf-before.json" --rawfile after "$WORK/bpf-after.json" '
		def parse: try fromjson catch null;
		def bpf_stats: parse | [.bpf[]? | select(.cgroup | endswith($cg))][0].stats // null;
		($b | parse) as $b | ($a | parse) as $a
		| ($before | bpf_stats) as $s0 | ($after | bpf_stats) as $s1
		| (if $s1 then $s1 | with_entries(.value -= ($s0[.key] // 0)) else null end) as $bpf
		| {run: $run, subflows: $n, pm: $pm, burst: $b}
		  + (if $pm == "netlink" then {agent: $a} else {} end)
		  + (if $pm == "bpf" then {bpf: $bpf} else {} end)
		  + {subflows_missing: (if $b then $b.subflows_expected - $b.subflows else null end),
		     # connections the PM did not act on: events lost (agent) or not claimed (BPF)
		     connections_unseen: (if $b == null then null
			elif $pm == "netlink" and $a then $b.connections - $a.connections
			elif $pm == "bpf" and $bpf then $b.connections - $bpf.claimed
			else null end)}
		  + (if $err != "" then {error: $err} else {} end)
		| tojson,
		  "mptcp run \(.run) \(.pm) ndiffports \(.subflows): \(.burst.connections // "n/a") connections in \(.burst.open_seconds // "n/a") s, \(.burst.subflows // "n/a")/\(.burst.subflows_expected // "n/a") subflows after \(.burst.seconds // "n/a") s, \(.burst.added_subflows_per_s // "n/a") added/s, unseen \(.connections_unseen // "-")\(if .agent then ", overruns \(.agent.overruns)" else "" end)\(if .bpf then ", bpf \(.bpf | tojson)" else "" end)\(if .error then ", error: \(.error)" else "" end)"')
	echo "${out%%$'\n'*}" >>"$WORK/mptcp.jsonl"
	log "${out#*$'\n'}"
	sleep 0.3	# let the closes settle
}

# mptcp_result: the rows of $WORK/mptcp.jsonl as {status, ..., raw, summary}.
mptcp_result() {
	jq -sc -L "$HERE" --argjson burst "$MP_BURST" --argjson timeout "$MP_TIMEOUT" \
		'include "mptcp"; mptcp_result($burst; $timeout)' "$WORK/mptcp.jsonl"
}
