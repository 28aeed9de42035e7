# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: the MPTCP bursts (rows of test/bench/mptcp.bash) -> medians
# per subflow count and path manager, and the BPF PM's ratios to the netlink
# agent of the same run; and the table of them.  jq -L test/bench,
# include "mptcp".

include "lib";

def pm_order: {none: 0, netlink: 1, bpf: 2}[.] // 3;

# Rows of one (subflows, pm) -> their medians.
def burst_medians:
	{subflows: .[0].subflows, pm: .[0].pm, runs: length,
	 open_s: map(.burst.open_seconds) | median,
	 subflows_per_conn: map(if .burst.connections > 0
				then .burst.subflows / .burst.connections else null end) | median,
	 seconds_to_last_subflow: map(.burst.seconds) | median,
	 added_subflows_per_s: map(.burst.added_subflows_per_s) | median,
	 complete_runs: map(select(.burst.complete)) | length,
	 subflows_missing: map(.subflows_missing) | median,
	 connections_unseen: map(.connections_unseen) | median,
	 overruns: map(.agent.overruns) | median,
	 subflow_errors: map(.agent.subflow_errors // .bpf.failed) | median}
	+ (map(.error // empty) | unique | if length > 0 then {errors: .} else {} end);

# Rows of the BPF PM -> the median over runs of BPF / netlink agent, each
# run divided by the agent's burst of the same run and subflow count.
def ratio_to_netlink($raw):
	. as $mine
	| def per_run(f):
		[$mine[] as $r
		 | ($raw | map(select(.pm == "netlink" and .run == $r.run
				       and .subflows == $r.subflows)) | .[0]) as $nl
		 | ratio($r | f; $nl | f)] | median;
	{added_subflows_per_s: per_run(.burst.added_subflows_per_s),
	 seconds_to_last_subflow: per_run(.burst.seconds),
	 subflows_missing: per_run(.subflows_missing),
	 connections_unseen: per_run(.connections_unseen)};

def mptcp_summary:
	. as $raw
	| group_by([.subflows, (.pm | pm_order)])
	| map(burst_medians
	      + if .[0].pm == "bpf" then {ratio_to_netlink: ratio_to_netlink($raw)} else {} end);

# Slurped rows -> the "mptcp" (or "mptcp.bpf_pm") object of results.json.
def mptcp_result($burst; $timeout):
	{status: "measured", burst_connections: $burst, timeout_s: $timeout,
	 raw: ., summary: mptcp_summary};

# A summary (.summary of mptcp_result) -> the table, tab-separated, header
# first.  The BPF PM's rows carry their ratio to the agent in parentheses.
def mptcp_table:
	def with_ratio(v; r; d): (v | fixed(d)) + (if r == null then "" else " (\(r | fixed(2)))" end);
	(["N", "PM", "open s", "subflows/conn", "last subflow s", "added subflows/s",
	  "complete", "subflows missing", "conns unseen", "overruns", "subflow errors"] | join("\t")),
	(.[] | [(.subflows | tostring), .pm, (.open_s | fixed(3)),
		(.subflows_per_conn | fixed(3)),
		with_ratio(.seconds_to_last_subflow; .ratio_to_netlink.seconds_to_last_subflow; 3),
		with_ratio(.added_subflows_per_s; .ratio_to_netlink.added_subflows_per_s; 1),
		"\(.complete_runs)/\(.runs)",
		with_ratio(.subflows_missing; .ratio_to_netlink.subflows_missing; 0),
		(.connections_unseen // "-" | tostring), (.overruns // "-" | tostring),
		(.subflow_errors // "-" | tostring)] | join("\t"));

# The rows of test/bench/mptcp-compare's mesh bursts -> medians per path
# manager (mptcpd sspi, tcpopt's agent, the in-kernel PM).
def mesh_order: {mptcpd: 0, mptcpd_join: 1, tcpopt: 2, kernel: 3}[.] // 4;
def mesh_result($burst):
	{status: "measured", burst_connections: $burst, raw: .,
	 summary: (group_by(.pm | mesh_order) | map(
		{pm: .[0].pm, runs: length,
		 added_subflows_per_s: map(.burst.added_subflows_per_s) | median,
		 seconds_to_last_subflow: map(.burst.seconds) | median,
		 subflows_missing: map(.subflows_missing) | median,
		 subflows_missing_max: map(.subflows_missing) | max,
		 complete_runs: map(select(.burst.complete)) | length,
		 cpu_daemon_s: map(.cpu_daemon_s) | median,
		 cpu_machine_s: map(.cpu_machine_s) | median,
		 cpu_pm_s: map(.cpu_pm_s) | median,
		 joins_accepted: map(.joins_accepted) | median,
		 daemon_closed: map(.daemon_closed) | median,
		 per_run: {subflows_missing: map(.subflows_missing), daemon_closed: map(.daemon_closed),
			   daemon_event_drops: map(.daemon_event_drops)}}
		+ (map(.error // empty) | unique | if length > 0 then {errors: .} else {} end)))};

def mesh_names: {mptcpd: "mptcpd 0.12 sspi", mptcpd_join: "mptcpd 0.12 sspi, client joins",
		 tcpopt: "tcpopt pm run fullmesh", kernel: "in-kernel PM, pm set fullmesh"};
def mesh_table:
	(["path manager", "added subflows/s", "last subflow s", "subflows missing (max)",
	  "complete", "joins (closed by mptcpd)", "daemon CPU s", "CPU s, all but the client"] | join("\t")),
	(.[] | [mesh_names[.pm] // .pm, (.added_subflows_per_s | fixed(1)),
		(.seconds_to_last_subflow | fixed(3)),
		"\(.subflows_missing | fixed(0)) (\(.subflows_missing_max | fixed(0)))",
		"\(.complete_runs)/\(.runs)",
		"\(.joins_accepted // "-" | if type == "number" then fixed(0) else . end)\(if .daemon_closed != null then " (\(.daemon_closed | fixed(0)))" else "" end)",
		(if .cpu_daemon_s == null then "-" else .cpu_daemon_s | fixed(2) end),
		(.cpu_pm_s | fixed(2))] | join("\t"));
