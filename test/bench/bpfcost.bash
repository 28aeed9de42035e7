# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: what the BPF programs cost, from the kernel's own accounting.
# Sourced by test/bench/run after the data plane.  With
# kernel.bpf_stats_enabled=1 (only during this pass: the accounting costs
# two clock reads per program run, and the ratios of the data plane are
# measured without it), each configuration's programs (both cgroups) are
# read (run_time_ns, run_cnt) before and after connrate, iperf3 and rr:
#   - BPF ns and program runs per connection (connrate),
#   - BPF ns per data segment, in MSS units (TcpExtTCPOrigDataSent of both
#     namespaces): iperf3 (segments of up to 64 KB, TSO/GRO) and rr (one
#     segment per request and per response).

COST='{}'

# The programs attached to a configuration's two cgroups.
cost_progs() {
	local side

	for side in snd rcv; do
		bpftool -j cgroup show "$CG_ROOT/$BENCH_TAG/$1-$side" 2>/dev/null | jq -r '.[].id'
	done
}

# cost_runtime ID...: "run_time_ns run_cnt" summed over the programs.
cost_runtime() {
	local id t=0 c=0 a b

	for id in "$@"; do
		read -r a b < <(bpftool -j prog show id "$id" 2>/dev/null |
			jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"')
		t=$((t + ${a:-0})) c=$((c + ${b:-0}))
	done
	echo "$t $c"
}

# Data segments sent by both ends (one namespace on lo).
cost_segments() {
	local topo=$1 ns n=0 v

	for ns in $( [ "$topo" = lo ] && echo "$NS_L" || echo "$NS_C $NS_S"); do
		v=$(ip netns exec "$ns" awk '$1 == "TcpExt:" { if (!h) { split($0, k); h = 1 } else
			for (i = 2; i <= NF; i++) if (k[i] == "TCPOrigDataSent") print $i }' /proc/net/netstat)
		n=$((n + ${v:-0}))
	done
	echo "$n"
}

# cost_cell TOPOLOGY CONFIG-INDEX RUN TOOL: one tool's run with the counters.
cost_cell() {
	local topo=$1 i=$2 run=$3 tool=$4 ids t0 c0 t1 c1 s0 s1 f=$WORK/cell.cost count

	read -ra ids < <(cost_progs "${CFG_NAME[i]}" | tr '\n' ' ')
	[ "${#ids[@]}" -gt 0 ] || return 0
	read -r t0 c0 < <(cost_runtime "${ids[@]}")
	s0=$(cost_segments "$topo")
	case $tool in
	connrate)
		fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_CONN + 30)) \
			"$BENCH_BIN/connrate" client "$(server_addr "$topo")" $((PORT_CONN + i)) "$T_CONN" \
			>"$f" 2>&1
		count=$(jq -r '.connections // empty' "$f" 2>/dev/null) ;;
	iperf3)
		fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_IPERF + 30)) \
			iperf3 -c "$(server_addr "$topo")" -p $((PORT_IPERF + i)) -t "$T_IPERF" -J \
			>"$f" 2>&1 ;;
	rr)
		fg_in_cgroup "$BENCH_TAG/${CFG_NAME[i]}-snd" "$(client_ns "$topo")" timeout $((T_RR + 30)) \
			"$BENCH_BIN/rr" client "$(server_addr "$topo")" $((PORT_RR + i)) "$T_RR" >"$f" 2>&1 ;;
	esac
	s1=$(cost_segments "$topo")
	read -r t1 c1 < <(cost_runtime "${ids[@]}")
	jq -nc --arg t "$topo" --arg c "${CFG_NAME[i]}" --argjson run "$run" --arg tool "$tool" \
		--argjson ns $((t1 - t0)) --argjson runs $((c1 - c0)) --argjson segs $((s1 - s0)) \
		--argjson conns "$(num "${count:-}")" \
		'{topology: $t, config: $c, run: $run, tool: $tool, bpf_ns: $ns, bpf_runs: $runs,
		  data_segments: $segs, connections: $conns}' >>"$WORK/cost.jsonl"
	log "$(printf 'cost %d/%d %-5s %-8s %-11s' "$run" "$COST_RUNS" "$topo" "$tool" "${CFG_NAME[i]}") $(tail -1 "$WORK/cost.jsonl" |
		jq -r 'if .tool == "connrate" then "\(if .connections then (.bpf_ns / .connections | round) else "n/a" end) ns, \(if .connections then (.bpf_runs / .connections * 10 | round / 10) else "n/a" end) runs per connection"
		       else "\(if .data_segments > 0 then (.bpf_ns / .data_segments | round) else "n/a" end) ns per data segment" end')"
}

bpf_cost() {
	local old run topo tool i tools=()

	: >"$WORK/cost.jsonl"
	if ! old=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null) || ! command -v bpftool >/dev/null; then
		COST='{"status":"n/a","reason":"no kernel.bpf_stats_enabled or no bpftool"}'
		return
	fi
	[ -n "${HAVE[connrate]}" ] && tools+=(connrate)
	[ -n "${HAVE[iperf3]}" ] && tools+=(iperf3)
	[ -n "${HAVE[rr]}" ] && tools+=(rr)
	log "BPF cost: kernel.bpf_stats_enabled=1, $COST_RUNS run(s) of ${tools[*]}"
	sysctl -qw kernel.bpf_stats_enabled=1
	for run in $(seq "$COST_RUNS"); do
		for topo in $TOPOLOGIES; do
			for tool in "${tools[@]}"; do
				for i in $(measured); do
					[ "$i" = 0 ] && continue	# the baseline has no program
					cost_cell "$topo" "$i" "$run" "$tool"
				done
			done
		done
	done
	sysctl -qw kernel.bpf_stats_enabled="$old"
	COST=$(jq -sc -L "$HERE" -f "$HERE/bpfcost.jq" "$WORK/cost.jsonl")
}

bpf_cost_report() {
	local r=$OUT/results.json

	if [ "$(jq -r '.bpf_cost.status' "$r")" != measured ]; then
		echo "BPF cost: n/a: $(jq -r '.bpf_cost.reason // "not measured"' "$r")"
		return
	fi
	jq -r '"BPF cost (kernel.bpf_stats_enabled=1 in a pass of its own, \(.bpf_cost.runs) run(s); run_time_ns / run_cnt of the configuration'"'"'s programs, both ends; medians):"' "$r"
	jq -r -L "$HERE" 'include "lib";
	       (["topology", "config", "BPF ns/connection", "runs/connection", "ns/run (connrate)",
		 "ns/data segment iperf3", "ns/data segment rr"] | join("\t")),
	       (.bpf_cost.summary[] | [.topology, .config, (.ns_per_conn | fixed(0)),
		 (.runs_per_conn | fixed(1)), (.ns_per_run | fixed(0)),
		 (.ns_per_seg_iperf3 | fixed(1)), (.ns_per_seg_rr | fixed(1))] | join("\t"))' "$r" |
		column -t -s "$(printf '\t')" | sed 's/^/  /'
}
