# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: the control plane.  Sourced by test/bench/run.
#
# Wall time of whole tcpopt processes (test/bench/timeit.c: the commands of
# one measurement take turns, A B A B..., and each gives its median):
#   - start-up (-V), option add/del in one cgroup, CP_ATTACH one-process
#     adds and dels in as many cgroups, option show among them;
#   - scaling: for each N of CP_SCALES, N attachments in N cgroups made by
#     one "-b" file of N adds (and removed by one of N dels), and with them
#     in place option list -j, stats -j and option list (the table) side by
#     side with "bpftool link list -j" on the same links.  Each tcpopt
#     figure comes with the median over runs of its ratio to bpftool's run
#     of the same round.

CP_OPTION=(uto 30s)	# what the control-plane timings attach
CONTROL='{}'

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

# Attachments of tcpopt under cgroup $1 (its path as option list shows it).
cp_count() {
	"$TCPOPT" -j option list | jq --arg p "/$1/" '[.[] | select(.cgroup | startswith($p))] | length'
}

cp_single() {
	local cp=$1 out

	out=$("$T" "$CP_RUNS" "$TCPOPT" -V ::: "$TCPOPT" -j option list cgroup "$cp/one")
	cp_entry "tcpopt -V (start-up)" "$(jq -c '.[0]' <<<"$out")" >>"$ROWS"
	cp_entry "option list -j cgroup C (nothing attached)" "$(jq -c '.[1]' <<<"$out")" >>"$ROWS"
	out=$("$T" "$CP_RUNS" "$TCPOPT" option add "${CP_OPTION[@]}" cgroup "$cp/one" ::: \
		"$TCPOPT" option del "${CP_OPTION[0]}" cgroup "$cp/one")
	cp_entry "option add ${CP_OPTION[*]}" "$(jq -c '.[0]' <<<"$out")" >>"$ROWS"
	cp_entry "option del ${CP_OPTION[0]}" "$(jq -c '.[1]' <<<"$out")" >>"$ROWS"
}

# The verifier's work for a driver of each built-in option alone, and of
# all five together: what a first "option add" on a cgroup waits for
# (proginfo: verified_insns).  One JSON object per line of $WORK/verifier.jsonl.
CP_VERIFIER_OPTIONS=("uto 30s" "cc cubic" "iw 10" "delack max 40ms" "exp 0x1234 0x01" all)
cp_verifier() {
	local cg=$1 opt one id info

	: >"$WORK/verifier.jsonl"
	[ -n "${HAVE[proginfo]}" ] || return 0
	for opt in "${CP_VERIFIER_OPTIONS[@]}"; do
		for one in "${CP_VERIFIER_OPTIONS[@]}"; do
			[ "$one" = all ] && continue
			[ "$opt" = all ] || [ "$opt" = "$one" ] || continue
			"$TCPOPT" option add $one cgroup "$cg" >/dev/null 2>&1
		done
		id=$("$TCPOPT" -j option list cgroup "$cg" | jq '[.[].prog_id // empty] | max // empty')
		info=
		[ -n "$id" ] && info=$("$BENCH_BIN/proginfo" "$id" 2>/dev/null | jq -c '.[0]')
		jq -nc --arg option "$opt" --argjson info "${info:-null}" \
			'{option: $option} + ($info // {verified_insns: null})' >>"$WORK/verifier.jsonl"
		"$TCPOPT" option flush cgroup "$cg" >/dev/null 2>&1
	done
}

# cp_loop NAME CGROUP ARGS...: "tcpopt ARGS cgroup CGROUP/cK" for K in
# 1..CP_ATTACH, one process each, timed as a whole.
cp_loop() {
	local name=$1 cp=$2 k t0 fails=0

	shift 2
	t0=$EPOCHREALTIME
	for k in $(seq "$CP_ATTACH"); do
		"$TCPOPT" "$@" cgroup "$cp/c$k" >/dev/null 2>&1 || fails=$((fails + 1))
	done
	cp_total "$name" "$CP_ATTACH" "$fails" "$t0" >>"$ROWS"
}

# CP_ATTACH adds and dels, one tcpopt process each.
cp_processes() {
	local cp=$1 k out count

	for k in $(seq "$CP_ATTACH"); do
		make_cgroup "$cp/c$k" || return 1
	done
	cp_loop "$CP_ATTACH x option add (one process each), total" "$cp" option add "${CP_OPTION[@]}"
	count=$(cp_count "$cp")
	out=$("$T" "$CP_RUNS" "$TCPOPT" -j -s option show "${CP_OPTION[0]}" cgroup "$cp/c$((CP_ATTACH / 2))")
	cp_entry "option show -j -s, $count attachments" "$(jq -c '.[0]' <<<"$out")" >>"$ROWS"
	cp_loop "$CP_ATTACH x option del (one process each), total" "$cp" option del "${CP_OPTION[0]}"
}

# cp_scale CGROUP N: N attachments in N cgroups below CGROUP, one line of
# $WORK/scaling.jsonl.
cp_scale() {
	local dir=$1 n=$2 k add=$WORK/add-$2.batch del=$WORK/del-$2.batch batch out count total links
	local -a cmds=()

	make_cgroup "$dir" || return 1
	: >"$add"
	: >"$del"
	for k in $(seq "$n"); do
		make_cgroup "$dir/c$k" || return 1
		echo "option add ${CP_OPTION[*]} cgroup $dir/c$k" >>"$add"
		echo "option del ${CP_OPTION[0]} cgroup $dir/c$k" >>"$del"
	done
	batch=$("$T" "$CP_BATCH_RUNS" "$TCPOPT" -b "$add" ::: "$TCPOPT" -b "$del")
	"$TCPOPT" -b "$add" >/dev/null 2>&1
	count=$(cp_count "$dir")
	total=$("$TCPOPT" -j option list | jq length)
	if [ -n "${HAVE[bpftool]}" ]; then
		links=$(bpftool link list -j 2>/dev/null | jq length)
		cmds=(bpftool link list -j :::)
	fi
	out=$("$T" "$CP_RUNS" "${cmds[@]}" "$TCPOPT" -j option list ::: "$TCPOPT" -j stats ::: \
		"$TCPOPT" option list)
	"$TCPOPT" -b "$del" >/dev/null 2>&1
	[ -n "${HAVE[bpftool]}" ] || out=$(jq -c '[null] + .' <<<"$out")
	jq -c -L "$HERE" --argjson n "$n" --argjson count "${count:-null}" \
		--argjson total "${total:-null}" \
		--argjson links "${links:-null}" --argjson batch "$batch" \
		'include "lib";
		 def vs($b): if $b == null then null else
			[range(.times_us | length) as $i | ratio(.times_us[$i]; $b.times_us[$i])] | median
			end;
		 .[0] as $b
		 | {attachments: $n, attached: $count, on_host: $total, links_on_host: $links, batch_add: $batch[0], batch_del: $batch[1],
		    bpftool_link_list: $b,
		    option_list_json: (.[1] + {ratio: (.[1] | vs($b))}),
		    stats_json: (.[2] + {ratio: (.[2] | vs($b))}),
		    option_list_table: (.[3] + {ratio: (.[3] | vs($b))})}' <<<"$out" >>"$WORK/scaling.jsonl"
	# The cgroups go now: bench_cleanup would flush each one by one.
	for k in $(seq "$n"); do
		rmdir "$CG_ROOT/$dir/c$k" 2>/dev/null
	done
}

control_plane() {
	local cp=$BENCH_TAG/cp n
	T=$BENCH_BIN/timeit ROWS=$WORK/control.jsonl

	if [ -z "${HAVE[timeit]}" ]; then
		CONTROL='{"status":"n/a","reason":"timeit was not built"}'
		return
	fi
	HAVE[bpftool]=
	command -v bpftool >/dev/null && HAVE[bpftool]=1 ||
		log "bpftool is missing: no ratios to bpftool link list (apt-get install bpftool)"
	log "control plane: ${CP_RUNS} runs each, $CP_ATTACH one-process adds, ${CP_SCALES// /, } attachments"
	: >"$ROWS"
	: >"$WORK/scaling.jsonl"
	make_cgroup "$cp" && make_cgroup "$cp/one" && make_cgroup "$cp/p" || {
		CONTROL='{"status":"n/a","reason":"could not create cgroups"}'
		return
	}
	cp_single "$cp"
	cp_verifier "$cp/one"
	cp_processes "$cp/p" || log "control plane: could not create the cgroups of $CP_ATTACH adds"
	for n in $CP_SCALES; do
		cp_scale "$cp/n$n" "$n" || log "control plane: could not create $n cgroups"
	done
	CONTROL=$(jq -sc --slurpfile scaling "$WORK/scaling.jsonl" \
		--slurpfile verifier "$WORK/verifier.jsonl" \
		'{status: "measured", operations: ., verifier: $verifier, scaling: $scaling}' "$ROWS")
}

control_report() {
	local r=$1

	if [ "$(jq -r .control_plane.status "$r")" != measured ]; then
		echo "control plane: n/a: $(jq -r .control_plane.reason "$r")"
		return
	fi
	echo "control plane (wall time of the tcpopt process, ms):"
	jq -r '(["operation", "median", "min", "max", "runs", "failures"] | join("\t")),
	       (.control_plane.operations[] |
		[.operation, (.median_us / 1000 * 100 | round / 100 | tostring),
		 (if .min_us then .min_us / 1000 * 100 | round / 100 | tostring else "-" end),
		 (if .max_us then .max_us / 1000 * 100 | round / 100 | tostring else "-" end),
		 (.runs | tostring), (.failures | tostring)] | join("\t"))' "$r" |
		column -t -s "$(printf '\t')" | sed 's/^/  /'
	if jq -e '.control_plane.verifier | length > 0' "$r" >/dev/null; then
		echo
		echo "the driver of a cgroup, as the verifier saw it (what a first option add waits for):"
		jq -r '(["options", "verified insns", "xlated insns", "JIT bytes"] | join("\t")),
		       (.control_plane.verifier[] | [.option, (.verified_insns // "n/a" | tostring),
			(.xlated_insns // "n/a" | tostring), (.jited_bytes // "n/a" | tostring)] | join("\t"))' "$r" |
			column -t -s "$(printf '\t')" | sed 's/^/  /'
	fi
	jq -e '.control_plane.scaling | length > 0' "$r" >/dev/null || return 0
	echo
	jq -r '"control plane, scaling: N attachments in N cgroups, ms, median of \(.control_plane.scaling[0].option_list_json.runs) runs",
	       "(in parentheses the median over runs of the ratio to bpftool link list -j of the same run;",
	       " -b: one process, median of \(.control_plane.scaling[0].batch_add.runs)):"' "$r"
	jq -r -L "$HERE" 'include "lib";
	       def ms: if . == null then "n/a" else .median_us / 1000 | fixed(2) end;
	       def vs: "\(ms) (\(.ratio | fixed(2)))";
	       (["N", "attached", "on host", "links", "bpftool link list -j", "option list -j",
		 "stats -j", "option list", "-b N adds", "-b N dels"] | join("\t")),
	       (.control_plane.scaling[] |
		[(.attachments | tostring), (.attached | tostring), (.on_host | tostring),
		 (.links_on_host | tostring),
		 (.bpftool_link_list | ms), (.option_list_json | vs), (.stats_json | vs),
		 (.option_list_table | vs), (.batch_add | ms), (.batch_del | ms)] | join("\t"))' "$r" |
		column -t -s "$(printf '\t')" | sed 's/^/  /'
}
