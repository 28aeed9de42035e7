# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: the measurements and the report.  Sourced by test/bench/run
# after the configurations are set up (CFG_* arrays, HAVE, WORK, OUT...).

CP_OPTION=(uto 30s)	# what the control-plane timings attach
CONTROL='{}'
MPTCP='{}'

elapsed() {
	awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'
}

# A number for --argjson: the value, or null when it is not one.
num() {
	if [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
		echo "$1"
	else
		echo null
	fi
}

measured() {
	local i

	for i in "${!CFG_NAME[@]}"; do
		[ -z "${CFG_NA[i]}" ] && echo "$i"
	done
}

client_ns() { [ "$1" = lo ] && echo "$NS_L" || echo "$NS_C"; }
server_ns() { [ "$1" = lo ] && echo "$NS_L" || echo "$NS_S"; }
server_addr() { [ "$1" = lo ] && echo "$ADDR_L" || echo "$ADDR_S"; }

# ---- control plane ----

# cp_entry NAME TIMEIT_JSON: one row of the control-plane results.
cp_entry() {
	jq -c --arg op "$1" '{operation: $op} + .' <<<"$2"
}

# cp_total NAME RUNS-DONE FAILURES START: a loop timed as a whole.
cp_total() {
	awk -v a="$4" -v b="$EPOCHREALTIME" -v op="$1" -v n="$2" -v f="$3" \
		'BEGIN { printf "{\"operation\":\"%s\",\"runs\":1,\"count\":%d,\"failures\":%d,\"total_us\":%.0f,\"median_us\":%.0f}\n",
			 op, n, f, (b - a) * 1e6, (b - a) * 1e6 }'
}

control_plane() {
	local cp=$BENCH_TAG/cp k t0 fails out rows=$WORK/control.jsonl count total
	local T=$BENCH_BIN/timeit

	if [ -z "${HAVE[timeit]}" ]; then
		CONTROL='{"status":"n/a","reason":"timeit was not built"}'
		return
	fi
	log "control plane: ${CP_RUNS} runs each, $CP_ATTACH attachments"
	: >"$rows"
	make_cgroup "$cp" && make_cgroup "$cp/one" || {
		CONTROL='{"status":"n/a","reason":"could not create cgroups"}'
		return
	}
	out=$("$T" "$CP_RUNS" "$TCPOPT" -V ::: "$TCPOPT" -j option list cgroup "$cp/one")
	cp_entry "tcpopt -V (start-up)" "$(jq -c '.[0]' <<<"$out")" >>"$rows"
	cp_entry "option list -j cgroup C (nothing attached)" "$(jq -c '.[1]' <<<"$out")" >>"$rows"
	out=$("$T" "$CP_RUNS" "$TCPOPT" option add "${CP_OPTION[@]}" cgroup "$cp/one" ::: \
		"$TCPOPT" option del "${CP_OPTION[0]}" cgroup "$cp/one")
	cp_entry "option add ${CP_OPTION[*]}" "$(jq -c '.[0]' <<<"$out")" >>"$rows"
	cp_entry "option del ${CP_OPTION[0]}" "$(jq -c '.[1]' <<<"$out")" >>"$rows"

	for k in $(seq "$CP_ATTACH"); do
		make_cgroup "$cp/c$k" || break
	done
	fails=0
	t0=$EPOCHREALTIME
	for k in $(seq "$CP_ATTACH"); do
		"$TCPOPT" option add "${CP_OPTION[@]}" cgroup "$cp/c$k" >/dev/null 2>&1 ||
			fails=$((fails + 1))
	done
	cp_total "$CP_ATTACH x option add (one process each), total" "$CP_ATTACH" "$fails" "$t0" >>"$rows"
	count=$("$TCPOPT" -j option list | jq --arg p "/$cp/c" '[.[] | select(.cgroup | startswith($p))] | length')
	total=$("$TCPOPT" -j option list | jq length)
	out=$("$T" "$CP_RUNS" "$TCPOPT" -j option list ::: "$TCPOPT" option list ::: \
		"$TCPOPT" -j -s option show "${CP_OPTION[0]}" cgroup "$cp/c$((CP_ATTACH / 2))")
	cp_entry "option list -j, $count attachments ($total on the host)" "$(jq -c '.[0]' <<<"$out")" >>"$rows"
	cp_entry "option list (table), $count attachments" "$(jq -c '.[1]' <<<"$out")" >>"$rows"
	cp_entry "option show -j -s, $count attachments" "$(jq -c '.[2]' <<<"$out")" >>"$rows"
	fails=0
	t0=$EPOCHREALTIME
	for k in $(seq "$CP_ATTACH"); do
		"$TCPOPT" option del "${CP_OPTION[0]}" cgroup "$cp/c$k" >/dev/null 2>&1 ||
			fails=$((fails + 1))
	done
	cp_total "$CP_ATTACH x option del (one process each), total" "$CP_ATTACH" "$fails" "$t0" >>"$rows"

	for k in $(seq "$CP_ATTACH"); do
		echo "option add ${CP_OPTION[*]} cgroup $cp/c$k" >>"$WORK/add.batch"
		echo "option del ${CP_OPTION[0]} cgroup $cp/c$k" >>"$WORK/del.batch"
	done
	out=$("$T" "$CP_BATCH_RUNS" "$TCPOPT" -b "$WORK/add.batch" ::: "$TCPOPT" -b "$WORK/del.batch")
	cp_entry "-b FILE: $CP_ATTACH option add in one process" "$(jq -c '.[0]' <<<"$out")" >>"$rows"
	cp_entry "-b FILE: $CP_ATTACH option del in one process" "$(jq -c '.[1]' <<<"$out")" >>"$rows"

	CONTROL=$(jq -sc --argjson n "${count:-0}" \
		'{status: "measured", attachments_listed: $n, operations: .}' "$rows")
}

# ---- MPTCP ----

# stop_agent PID: SIGINT makes "pm run" print its report (SIGTERM would
# too, once it reads its signalfd: see test/bench/README-section.md).
stop_agent() {
	local pid=$1 i

	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for i in "${!CLEANUP_PIDS[@]}"; do
		[ "${CLEANUP_PIDS[i]}" = "$pid" ] && unset 'CLEANUP_PIDS[i]'
	done
}

# Subflows set up per second and events lost, for the netlink path manager
# agent: a burst of MP_BURST MPTCP connections opened at once and held while
# "tcpopt pm run ndiffports N" (in the client netns, userspace PM) adds N-1
# subflows to each; N=1 is the reference without agent.
mptcp_bench() {
	local reason="" cg=$BENCH_TAG/mptcp run n apid rows=$WORK/mptcp.jsonl port=$PORT_MPTCP

	if ! "$TCPOPT" pm help 2>&1 | grep -q 'pm run'; then
		reason='this tcpopt has no "pm run ndiffports" (issue 4)'
	elif [ -z "${HAVE[connrate]}" ]; then
		reason="connrate was not built"
	elif [ "$(ip netns exec "$NS_C" sysctl -n net.mptcp.enabled 2>/dev/null)" != 1 ]; then
		reason="MPTCP is not enabled in this kernel (net.mptcp.enabled)"
	elif ! reason=$("$TCPOPT" -n "$NS_C" pm set userspace 2>&1) ||
	     ! reason=$("$TCPOPT" -n "$NS_S" pm set limits subflows 8 2>&1); then
		reason="pm set failed: $reason"
	else
		reason=""
	fi
	if [ -z "$reason" ]; then
		make_cgroup "$cg"
		bg_in_cgroup "$cg" "$NS_S" "$BENCH_BIN/connrate" server "$ADDR_S" "$port" mptcp hold \
			>"$WORK/srv-mptcp.log" 2>&1
		wait_listen "$NS_S" "$port" || reason="the MPTCP server did not start"
	fi
	if [ -n "$reason" ]; then
		MPTCP=$(jq -nc --arg r "$reason" '{status: "n/a", reason: $r}')
	else
		log "mptcp: bursts of $MP_BURST connections, ndiffports ${MP_SUBFLOWS// /, } (1: no agent), $MP_RUNS runs"
		: >"$rows"
		for run in $(seq "$MP_RUNS"); do
			for n in $MP_SUBFLOWS; do
				apid=""
				rm -f "$WORK/agent.json" "$WORK/burst.json"
				if [ "$n" -gt 1 ]; then
					bg_in_cgroup "$cg" "$NS_C" "$TCPOPT" -j pm run ndiffports "$n" \
						>"$WORK/agent.json" 2>"$WORK/agent.err"
					apid=$!
					sleep 0.3	# subscribed to the events
				fi
				fg_in_cgroup "$cg" "$NS_C" timeout $((MP_TIMEOUT + 30)) \
					"$BENCH_BIN/connrate" burst "$ADDR_S" "$port" "$MP_BURST" "$n" \
					"$MP_TIMEOUT" mptcp >"$WORK/burst.json" 2>&1
				[ -n "$apid" ] && stop_agent "$apid"
				jq -nc --argjson run "$run" --argjson n "$n" \
					--slurpfile b <(jq -c . "$WORK/burst.json" 2>/dev/null) \
					--slurpfile a <(jq -c . "$WORK/agent.json" 2>/dev/null) \
					'($b[0] // null) as $b | ($a[0] // null) as $a
					 | {run: $run, subflows: $n, burst: $b, agent: $a,
					    connections_unseen: (if $a and $b
						then ($b.connections - $a.events_by_type.established)
						else null end)}' >>"$rows"
				log "$(jq -r '"mptcp run \(.run) ndiffports \(.subflows): \(.burst.connections // "n/a") connections in \(.burst.open_seconds // "n/a") s, \(.burst.subflows // "n/a")/\(.burst.subflows_expected // "n/a") subflows after \(.burst.seconds // "n/a") s, \(.burst.added_subflows_per_s // "n/a") added/s, unseen \(.connections_unseen // "-"), overruns \(.agent.overruns // "-")"' <<<"$(tail -1 "$rows")")"
				sleep 0.3	# let the closes settle
			done
		done
		MPTCP=$(jq -sc --argjson burst "$MP_BURST" --argjson timeout "$MP_TIMEOUT" '
			def median: map(select(. != null)) | sort |
				if length == 0 then null
				elif length % 2 == 1 then .[length / 2 | floor]
				else (.[length / 2 - 1] + .[length / 2]) / 2 end;
			{status: "measured", burst_connections: $burst, timeout_s: $timeout, raw: .,
			 summary: (group_by(.subflows) | map({
				subflows: .[0].subflows,
				agent: (.[0].subflows > 1),
				runs: length,
				open_s: map(.burst.open_seconds) | median,
				subflows_per_conn: map(if .burst then .burst.subflows / .burst.connections else null end) | median,
				seconds_to_last_subflow: map(.burst.seconds) | median,
				added_subflows_per_s: map(.burst.added_subflows_per_s) | median,
				complete_runs: map(select(.burst.complete)) | length,
				connections_unseen: map(.connections_unseen) | median,
				overruns: map(.agent.overruns) | median,
				subflow_errors: map(.agent.subflow_errors) | median}))}' "$rows")
	fi
	MPTCP=$(jq -c '. + {bpf_pm: {status: "n/a", reason: "needs the VM with the kernel patch set (issue 5)"}}' <<<"$MPTCP")
	[ -n "$reason" ] && log "mptcp: n/a: $reason"
}

# ---- data plane ----

start_servers() {
	local topo i cg ns addr port

	for topo in $TOPOLOGIES; do
		ns=$(server_ns "$topo")
		addr=$(server_addr "$topo")
		for i in $(measured); do
			cg=$BENCH_TAG/${CFG_NAME[i]}-rcv
			[ -n "${HAVE[iperf3]}" ] &&
				bg_in_cgroup "$cg" "$ns" iperf3 -s -B "$addr" -p $((PORT_IPERF + i)) \
					>"$WORK/srv-iperf-$topo-$i.log" 2>&1
			[ -n "${HAVE[rr]}" ] &&
				bg_in_cgroup "$cg" "$ns" "$BENCH_BIN/rr" server "$addr" $((PORT_RR + i)) \
					>"$WORK/srv-rr-$topo-$i.log" 2>&1
			[ -n "${HAVE[connrate]}" ] &&
				bg_in_cgroup "$cg" "$ns" "$BENCH_BIN/connrate" server "$addr" $((PORT_CONN + i)) \
					>"$WORK/srv-conn-$topo-$i.log" 2>&1
		done
	done
	for topo in $TOPOLOGIES; do
		ns=$(server_ns "$topo")
		for i in $(measured); do
			for port in $((PORT_IPERF + i)) $((PORT_RR + i)) $((PORT_CONN + i)); do
				case $port in
				$((PORT_IPERF + i))) [ -n "${HAVE[iperf3]}" ] || continue ;;
				$((PORT_RR + i))) [ -n "${HAVE[rr]}" ] || continue ;;
				*) [ -n "${HAVE[connrate]}" ] || continue ;;
				esac
				wait_listen "$ns" "$port"
			done
		done
	done
}

# record TOOL JSON-FIELDS: one raw result line for the current cell.
record() {
	jq -c --arg t "$topo" --arg c "${CFG_NAME[i]}" --argjson run "$run" --arg tool "$1" \
		'{topology: $t, config: $c, run: $run, tool: $tool} + .' <<<"$2" >>"$RAW"
}

# measure_TOOL TOPOLOGY CONFIG-INDEX RUN: one measurement from the config's
# sender cgroup in the topology's client netns; one raw line each.
measure_iperf3() {
	local topo=$1 i=$2 run=$3 f=$WORK/cell.iperf

	fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_IPERF + 30)) \
		iperf3 -c "$(server_addr "$topo")" -p $((PORT_IPERF + i)) -t "$T_IPERF" -J \
		>"$f" 2>"$f.err"
	record iperf3 "$(jq -c '{throughput_bps: .end.sum_received.bits_per_second,
				 cpu_sender_pct: .end.cpu_utilization_percent.host_total,
				 cpu_receiver_pct: .end.cpu_utilization_percent.remote_total}
				+ if .error then {error: .error} else {} end' "$f" 2>/dev/null ||
			 jq -nc --arg e "$(head -c 200 "$f.err")" '{throughput_bps: null, error: ("iperf3: " + $e)}')"
	progress "$(jq -r '"\(.throughput_bps // null | if . then . / 1e9 * 100 | round / 100 else "n/a" end) Gbit/s, CPU \(.cpu_sender_pct // "n/a" | if type == "number" then round else . end)/\(.cpu_receiver_pct // "n/a" | if type == "number" then round else . end) %"' <<<"$(tail -1 "$RAW")")"
}

measure_rr() {
	local topo=$1 i=$2 run=$3 f=$WORK/cell.rr

	fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_RR + 30)) \
		"$BENCH_BIN/rr" client "$(server_addr "$topo")" $((PORT_RR + i)) "$T_RR" >"$f" 2>&1
	record rr "$(jq -c '{rtt_p50_us: .p50_us, rtt_p99_us: .p99_us, rtt_samples: .samples}
			    + if .error then {error: .error} else {} end' "$f" 2>/dev/null ||
		     jq -nc --arg e "$(head -c 200 "$f")" '{rtt_p50_us: null, error: $e}')"
	progress "$(jq -r '"RTT p50 \(.rtt_p50_us // "n/a") p99 \(.rtt_p99_us // "n/a") us"' <<<"$(tail -1 "$RAW")")"
}

measure_connrate() {
	local topo=$1 i=$2 run=$3 f=$WORK/cell.conn

	fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_CONN + 30)) \
		"$BENCH_BIN/connrate" client "$(server_addr "$topo")" $((PORT_CONN + i)) "$T_CONN" \
		>"$f" 2>&1
	record connrate "$(jq -c '{conn_per_s: .rate, conn_errors: .errors}
				  + if .first_error then {error: .first_error} else {} end' "$f" 2>/dev/null ||
			   jq -nc --arg e "$(head -c 200 "$f")" '{conn_per_s: null, error: $e}')"
	progress "$(jq -r '"\(.conn_per_s // "n/a") connections/s"' <<<"$(tail -1 "$RAW")")"
}

progress() {
	log "$(printf 'run %d/%d %-5s %-8s %-11s' "$run" "$RUNS" "$topo" "$tool" "${CFG_NAME[i]}") $1"
}

# Interleaved: within a run, one tool goes through every configuration
# before the next tool, so that a configuration and the baseline it is
# divided by are measured seconds apart, not minutes.
data_plane() {
	local run topo tool i tools=()

	[ -n "${HAVE[iperf3]}" ] && tools+=(iperf3)
	[ -n "${HAVE[rr]}" ] && tools+=(rr)
	[ -n "${HAVE[connrate]}" ] && tools+=(connrate)
	log "data plane: $RUNS runs interleaved; iperf3 ${T_IPERF}s, rr ${T_RR}s, connrate ${T_CONN}s"
	for run in $(seq "$RUNS"); do
		for topo in $TOPOLOGIES; do
			for tool in "${tools[@]}"; do
				for i in $(measured); do
					"measure_$tool" "$topo" "$i" "$run"
				done
			done
		done
	done
}

# The option counters of every attachment: evidence that each
# configuration did what it says (sent, received, applied...).
collect_stats() {
	local i side spec opt cg

	: >"$WORK/stats.jsonl"
	for i in $(measured); do
		for side in snd rcv; do
			[ $side = snd ] && spec=${CFG_SND[i]} || spec=${CFG_RCV[i]}
			cg=$BENCH_TAG/${CFG_NAME[i]}-$side
			for opt in $(spec_names "$spec"); do
				"$TCPOPT" -j -s option show "$opt" cgroup "$cg" 2>/dev/null |
					jq -c --arg c "${CFG_NAME[i]}" \
						--arg s "$([ $side = snd ] && echo sender || echo receiver)" \
						'{config: $c, side: $s, option: .option, stats: .stats}' \
						>>"$WORK/stats.jsonl" 2>/dev/null
			done
		done
	done
}

# ---- report ----

configs_json() {
	local i

	for i in "${!CFG_NAME[@]}"; do
		jq -nc --arg n "${CFG_NAME[i]}" --arg s "${CFG_SND[i]}" --arg r "${CFG_RCV[i]}" \
			--arg d "${CFG_DESC[i]}" --arg na "${CFG_NA[i]}" \
			'{name: $n, sender: $s, receiver: $r, description: $d}
			 + if $na == "" then {status: "measured"} else {status: "n/a", reason: $na} end'
	done | jq -sc .
}

virt_desc() {
	local vm ct

	vm=$(systemd-detect-virt --vm 2>/dev/null) || vm="no VM detected"
	ct=$(systemd-detect-virt --container 2>/dev/null) && vm="$vm VM, in a $ct container" ||
		vm="$vm VM"
	echo "$vm"
}

machine_json() {
	jq -nc --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
		--arg model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		--arg virt "$(virt_desc)" \
		--argjson mem "$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg version "$("$TCPOPT" -V 2>&1 | head -1)" \
		--arg commit "$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		--arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
		--arg iperf3 "$(iperf3 --version 2>/dev/null | head -1)" \
		'{kernel: $kernel, cpus: $cpus, cpu_model: $model, virtualization: $virt,
		  memory_mb: $mem, date: $date, tcpopt: $version, commit: $commit,
		  loadavg_start: $load_start, loadavg_end: $load_end,
		  iperf3: $iperf3}'
}

print_report() {
	local r=$OUT/results.json

	jq -r '"tcpopt bench\(if .params.quick then " (QUICK)" else "" end): \(.params.runs) run\(if .params.runs > 1 then "s" else "" end) interleaved; iperf3 \(.params.iperf_s) s, rr ping-pong \(.params.rr_s) s, connrate \(.params.conn_s) s",
	       "machine: \(.machine.cpus) CPUs (\(.machine.cpu_model)), \(.machine.virtualization), kernel \(.machine.kernel), \(.machine.date), tcpopt \(.machine.commit)",
	       "load average (1, 5, 15 min) at start \(.machine.loadavg_start), at end \(.machine.loadavg_end): other work on the machine is noise",
	       "medians (ratio to the baseline of the same run, median over runs); CPU is iperf3 per process, 100 = one core", ""' "$r"
	jq -r -f "$HERE/table.jq" "$r" | column -t -s "$(printf '\t')"
	# The noise floor: how far apart the baseline's own runs are.
	jq -r 'def spread: if . == null or .median == null or .median == 0 then "n/a"
			   else "\((.max - .min) / .median * 100 | round)%" end;
	       "", "noise: spread of the baseline'"'"'s own runs, (max - min) / median:",
	       (.summary[] | select(.config == $base and .status == "measured")
		| "  \(.topology): throughput \(.throughput_bps | spread), CPU sender \(.cpu_sender_pct | spread), receiver \(.cpu_receiver_pct | spread), RTT p50 \(.rtt_p50_us | spread), p99 \(.rtt_p99_us | spread), connections/s \(.conn_per_s | spread)")' \
		--arg base "$(jq -r '.configs[0].name' "$r")" "$r"
	jq -r '"", (.configs[] | "  \(.name): \(.description)\(if .status != "measured" then " -- n/a: \(.reason)" else "" end)")' "$r"
	jq -r '"", "option counters after the runs (sender | receiver):",
	       (.stats | group_by(.config)[] | "  \(.[0].config): " + (map("\(.side) \(.option) sent \(.stats.sent) received \(.stats.received) applied \(.stats.applied)") | join(" | ")))' "$r"
	echo
	if [ "$(jq -r .control_plane.status "$r")" = measured ]; then
		echo "control plane (wall time of the tcpopt process, ms):"
		jq -r '(["operation", "median", "min", "max", "runs", "failures"] | join("\t")),
		       (.control_plane.operations[] |
		        [.operation, (.median_us / 1000 * 100 | round / 100 | tostring),
		         (if .min_us then .min_us / 1000 * 100 | round / 100 | tostring else "-" end),
		         (if .max_us then .max_us / 1000 * 100 | round / 100 | tostring else "-" end),
		         (.runs | tostring), (.failures | tostring)] | join("\t"))' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	else
		echo "control plane: n/a: $(jq -r .control_plane.reason "$r")"
	fi
	echo
	if [ "$(jq -r .mptcp.status "$r")" = measured ]; then
		jq -r '"mptcp, netlink agent (tcpopt pm run ndiffports N, userspace PM): bursts of \(.mptcp.burst_connections) connections held open; medians of \(.mptcp.summary[0].runs) runs"' "$r"
		jq -r '(["N", "agent", "open s", "subflows/conn", "last subflow s", "added subflows/s", "complete", "conns unseen", "overruns", "subflow errors"] | join("\t")),
		       (.mptcp.summary[] | [(.subflows | tostring), (if .agent then "yes" else "no" end),
			(.open_s | tostring), (.subflows_per_conn // "n/a" | tostring),
			(.seconds_to_last_subflow | tostring), (.added_subflows_per_s | tostring),
			"\(.complete_runs)/\(.runs)", (.connections_unseen // "-" | tostring),
			(.overruns // "-" | tostring), (.subflow_errors // "-" | tostring)] | join("\t"))' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	else
		jq -r '"mptcp netlink agent (pm run ndiffports): n/a: \(.mptcp.reason)"' "$r"
	fi
	jq -r '"mptcp BPF path manager: \(.mptcp.bpf_pm.status): \(.mptcp.bpf_pm.reason)"' "$r"
	jq -r '.missing_tools | if length > 0 then "missing tools (their numbers are n/a): \(join(", "))" else empty end' "$r"
}

plot() {
	local r=$OUT/results.json dat=$OUT/bench.dat topos

	# One block per topology, in the order measured; NaN where n/a.
	jq -r 'def v(s): if . == null then "NaN" else . / s end;
	       .summary as $s | .params.topologies[] as $t
	       | ([$s[] | select(.topology == $t)
		  | [.topology, .config,
		     (.throughput_bps | .median, .min, .max | v(1e9)),
		     (.cpu_sender_pct | .median, .min, .max | v(1)),
		     (.cpu_receiver_pct | .median, .min, .max | v(1))]
		  | map(tostring) | join(" ")][]), "", ""' "$r" >"$dat"
	if [ -z "${HAVE[gnuplot]}" ]; then
		echo "plot: n/a (gnuplot missing: apt-get install gnuplot-nox)"
		return
	fi
	topos=$(jq -r '.params.topologies | join(" ")' "$r")
	if gnuplot -e "dat='$dat'; out='$OUT/bench.png'; topos='$topos'; ntopo=$(wc -w <<<"$topos");
		       subtitle='$(jq -r '"\(.machine.cpus) CPUs, \(.machine.virtualization), kernel \(.machine.kernel), \(.params.runs) runs, \(.machine.date)"' "$r")'" \
		"$HERE/plot.gp" 2>"$WORK/gnuplot.err"; then
		echo "plot: $OUT/bench.png"
	else
		echo "plot: failed: $(head -3 "$WORK/gnuplot.err")"
	fi
}

report() {
	local base=$WORK/base.json missing=()

	for tool in iperf3 gnuplot connrate rr timeit; do
		[ -n "${HAVE[$tool]}" ] || missing+=("$tool")
	done
	jq -n --slurpfile raw "$RAW" --slurpfile stats "$WORK/stats.jsonl" \
		--argjson configs "$(configs_json)" --argjson machine "$(machine_json)" \
		--argjson control "$CONTROL" --argjson mptcp "$MPTCP" \
		--argjson topologies "$(printf '%s\n' $TOPOLOGIES | jq -R . | jq -sc .)" \
		--argjson quick "$([ -n "$QUICK" ] && echo true || echo false)" \
		--argjson runs "$RUNS" --argjson ti "$T_IPERF" --argjson tr "$T_RR" --argjson tc "$T_CONN" \
		--arg missing "${missing[*]}" \
		'{machine: $machine,
		  params: {quick: $quick, runs: $runs, iperf_s: $ti, rr_s: $tr, conn_s: $tc,
			   topologies: $topologies},
		  configs: $configs, topologies: $topologies, raw: $raw, stats: $stats,
		  control_plane: $control, mptcp: $mptcp,
		  missing_tools: ($missing | split(" ") | map(select(. != "")))}' >"$base"
	jq --argjson summary "$(jq -f "$HERE/summary.jq" "$base")" --argjson wall "$(elapsed)" \
		'. + {summary: $summary, data_and_control_wall_s: $wall}' "$base" >"$OUT/results.json"
	print_report | tee "$OUT/table.txt"
	plot | tee -a "$OUT/table.txt"
}
