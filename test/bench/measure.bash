# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: the measurements and the report.  Sourced by test/bench/run
# after the configurations are set up (CFG_* arrays, HAVE, WORK, OUT...).

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

# ---- MPTCP (the bursts themselves: mptcp.bash) ----

# The netlink agent on the host: MP_RUNS runs of a burst for each N of
# MP_SUBFLOWS, "tcpopt pm run ndiffports N" in the client namespace (N=1
# without agent: the reference).
mptcp_bench() {
	local run n

	if mptcp_setup && MP_REASON=$(mptcp_pm_type userspace); then
		log "mptcp: bursts of $MP_BURST connections, ndiffports ${MP_SUBFLOWS// /, } (1: no agent), $MP_RUNS runs"
		: >"$WORK/mptcp.jsonl"
		for run in $(seq "$MP_RUNS"); do
			for n in $MP_SUBFLOWS; do
				mptcp_burst "$run" "$n" "$([ "$n" -gt 1 ] && echo netlink || echo none)"
			done
		done
		MPTCP=$(mptcp_result)
	else
		log "mptcp: n/a: $MP_REASON"
		MPTCP=$(jq -nc --arg r "$MP_REASON" '{status: "n/a", reason: $r}')
	fi
	MPTCP=$(jq -c --argjson bpf "$(mptcp_vm_bench)" '. + {bpf_pm: $bpf}' <<<"$MPTCP")
	MPTCP=$(jq -c --argjson c "$(mptcp_compare)" '. + {compare: $c}' <<<"$MPTCP")
}

# test/bench/mptcp-compare: the agent with a small event buffer (no
# connection may be lost), and mptcpd's sspi vs tcpopt's agent vs the
# in-kernel PM giving each connection a subflow over a second path.
mptcp_compare() {
	local out

	if out=$(TCPOPT=$TCPOPT BENCH_BIN=$BENCH_BIN MP_BURST=$MP_BURST MP_TIMEOUT=$MP_TIMEOUT \
		MP_REC_RUNS=$MP_REC_RUNS MP_MESH_RUNS=$MP_MESH_RUNS BENCH_TAG=$BENCH_TAG \
		"$HERE/mptcp-compare") && jq -e 'type == "object"' >/dev/null 2>&1 <<<"$out"; then
		echo "$out"
	else
		jq -nc '{recovery: {status: "n/a", reason: "mptcp-compare failed"},
			 mesh: {status: "n/a", reason: "mptcp-compare failed"}}'
	fi
}

# The BPF path manager runs only on the kernel of the patch set: in its VM,
# test/bench/vm-mptcp runs the same bursts under the netlink agent and the
# BPF PM, interleaved, so that the two compare within one VM run (TCG
# emulation: absolute numbers are not the host's).  Prints the JSON of
# results.json's mptcp.bpf_pm, "n/a" with the reason when it cannot run.
# Never builds the kernel: that takes 10 to 40 minutes.
mptcp_vm_bench() {
	local image reason="" out=$WORK/vm-mptcp.json err=$WORK/vm-mptcp.err t0 rc vm_timeout
	local bursts=$(( MP_RUNS * 2 * $(wc -w <<<"$MP_VM_SUBFLOWS") ))

	if [ -n "$MP_VM_SKIP" ]; then
		reason=$MP_VM_SKIP
	elif ! image=$("$TOP/kernel/build" --cached 2>/dev/null); then
		reason="the kernel of the patch set is not in the cache (make kernel builds it; make bench never does)"
	elif ! command -v qemu-system-x86_64 >/dev/null; then
		reason="qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
	fi
	if [ -n "$reason" ]; then
		log "mptcp BPF PM: n/a: $reason"
		jq -nc --arg r "$reason" '{status: "n/a", reason: $r}'
		return
	fi
	vm_timeout=$(( 60 + bursts * (MP_TIMEOUT + 20) ))
	log "mptcp BPF PM: in the VM (kernel/vm-run, $MP_VM_CPUS CPUs, at most $vm_timeout s)"
	t0=$EPOCHREALTIME
	# From the background, like fg_in_cgroup: a signal reaches our trap
	# (bench_cleanup stops vm-run, which stops qemu).
	KERNEL_IMAGE=$image VM_TIMEOUT=$vm_timeout VM_CPUS=$MP_VM_CPUS \
		TCPOPT=$TCPOPT BENCH_BIN=$BENCH_BIN MP_RUNS=$MP_RUNS MP_BURST=$MP_BURST \
		MP_TIMEOUT=$MP_TIMEOUT MP_SUBFLOWS=$MP_VM_SUBFLOWS \
		VM_ENV="TCPOPT BENCH_BIN MP_RUNS MP_BURST MP_TIMEOUT MP_SUBFLOWS" \
		"$TOP/kernel/vm-run" "$HERE/vm-mptcp" >"$out" 2>"$err" &
	FG_PID=$!
	wait "$FG_PID"
	rc=$?
	FG_PID=
	# its progress lines, now that it is done (we print on stderr too)
	grep '^bench: ' "$err" >&2
	if jq -e 'type == "object" and has("status")' "$out" >/dev/null 2>&1; then
		jq -c --argjson wall "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')" \
			--arg image "$image" \
			'. + {vm: ((.vm // {}) + {accel: "tcg", image: $image, wall_s: $wall})}' "$out"
	else
		reason="the VM run failed (status $rc): $(grep -v '^bench: ' "$err" | tail -n 3 | tr '\n' ' ' | head -c 300)"
		log "mptcp BPF PM: n/a: $reason"
		jq -nc --arg r "$reason" '{status: "n/a", reason: $r}'
	fi
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
		--arg commit "$COMMIT" \
		--arg load_start "$LOAD_START" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
		--arg iperf3 "$(iperf3 --version 2>/dev/null | head -1)" \
		'{kernel: $kernel, cpus: $cpus, cpu_model: $model, virtualization: $virt,
		  memory_mb: $mem, date: $date, tcpopt: $version, commit: $commit,
		  loadavg_start: $load_start, loadavg_end: $load_end,
		  iperf3: $iperf3}'
}

# The two MPTCP tables: the netlink agent on the host, the agent and the
# BPF path manager in the VM.
mptcp_report() {
	local r=$1

	if [ "$(jq -r .mptcp.status "$r")" = measured ]; then
		jq -r '"mptcp on the host, netlink agent (tcpopt pm run ndiffports N, userspace PM): bursts of \(.mptcp.burst_connections) connections held open; medians of \(.mptcp.summary[0].runs) runs"' "$r"
		jq -r -L "$HERE" 'include "mptcp"; .mptcp.summary | mptcp_table' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	else
		jq -r '"mptcp on the host, netlink agent (pm run ndiffports): n/a: \(.mptcp.reason)"' "$r"
	fi
	if [ "$(jq -r '.mptcp.bpf_pm.summary | length > 0' "$r")" = true ]; then
		jq -r '.mptcp.bpf_pm | "mptcp in the VM (\(.vm.cpus) CPUs, qemu TCG, kernel \(.vm.kernel), \(.vm.wall_s) s), netlink agent vs BPF path manager (tcpopt pm set ndiffports N): bursts of \(.burst_connections) connections; medians of \(.runs) runs; BPF PM rows: (median ratio to the agent of the same run)"' "$r"
		jq -r -L "$HERE" 'include "mptcp"; .mptcp.bpf_pm.summary | mptcp_table' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	fi
	jq -r '.mptcp.bpf_pm | select(.status != "measured") | "mptcp BPF path manager: n/a: \(.reason)"' "$r"
	jq -r '.mptcp.compare.recovery | if .status == "measured" then
		"mptcp on the host, tcpopt pm run ndiffports 2 rcvbuf \(.rcvbuf): bursts of \(.burst_connections) connections, \(.summary.runs) runs: complete \(.summary.complete_runs)/\(.summary.runs); per run: subflows missing \(.summary.subflows_missing | map(tostring) | join(" ")), recovered from sock_diag \(.summary.recovered | map(tostring) | join(" ")), overruns \(.summary.overruns | map(tostring) | join(" ")), added subflows/s \(.summary.added_subflows_per_s | map(tostring) | join(" "))"
		else "mptcp recovery (rcvbuf 4096): n/a: \(.reason)" end' "$r"
	if [ "$(jq -r '.mptcp.compare.mesh.status' "$r")" = measured ]; then
		jq -r '.mptcp.compare.mesh | "mptcp on the host, one more subflow per connection over a second path: mptcpd sspi (server side: announcing, and closing the client'"'"'s joins) vs tcpopt agent vs in-kernel PM; bursts of \(.burst_connections) connections, medians of \(.summary[0].runs) runs"' "$r"
		jq -r -L "$HERE" 'include "mptcp"; .mptcp.compare.mesh.summary | mesh_table' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	else
		jq -r '"mptcp mesh comparison: n/a: \(.mptcp.compare.mesh.reason)"' "$r"
	fi
}

print_report() {
	local r=$OUT/results.json

	jq -r '"tcpopt bench\(if .params.quick then " (QUICK)" else "" end): \(.params.runs) run\(if .params.runs > 1 then "s" else "" end) interleaved; iperf3 \(.params.iperf_s) s, rr ping-pong \(.params.rr_s) s, connrate \(.params.conn_s) s",
	       "machine: \(.machine.cpus) CPUs (\(.machine.cpu_model)), \(.machine.virtualization), kernel \(.machine.kernel), \(.machine.date), tcpopt \(.machine.commit)",
	       "load average (1, 5, 15 min) at start \(.machine.loadavg_start), at end \(.machine.loadavg_end): other work on the machine is noise",
	       "medians (ratio to the baseline of the same run, median over runs); CPU is iperf3 per process, 100 = one core", ""' "$r"
	jq -r -L "$HERE" -f "$HERE/table.jq" "$r" | column -t -s "$(printf '\t')"
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
	bpf_cost_report
	echo
	control_report "$r"
	echo
	mptcp_report "$r"
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
		--argjson control "$CONTROL" --argjson mptcp "$MPTCP" --argjson cost "$COST" \
		--argjson topologies "$(printf '%s\n' $TOPOLOGIES | jq -R . | jq -sc .)" \
		--argjson quick "$([ -n "$QUICK" ] && echo true || echo false)" \
		--argjson runs "$RUNS" --argjson ti "$T_IPERF" --argjson tr "$T_RR" --argjson tc "$T_CONN" \
		--arg missing "${missing[*]}" \
		'{machine: $machine,
		  params: {quick: $quick, runs: $runs, iperf_s: $ti, rr_s: $tr, conn_s: $tc,
			   topologies: $topologies},
		  configs: $configs, topologies: $topologies, raw: $raw, stats: $stats,
		  bpf_cost: $cost, control_plane: $control, mptcp: $mptcp,
		  missing_tools: ($missing | split(" ") | map(select(. != "")))}' >"$base"
	jq --argjson summary "$(jq -L "$HERE" -f "$HERE/summary.jq" "$base")" --argjson wall "$(elapsed)" \
		'. + {summary: $summary, data_and_control_wall_s: $wall}' "$base" >"$OUT/results.json"
	print_report | tee "$OUT/table.txt"
	plot | tee -a "$OUT/table.txt"
}
