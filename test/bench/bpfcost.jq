# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: the BPF cost pass (bpfcost.bash), raw lines -> medians per
# topology and configuration.
include "lib";

def per(a; b): if b == null or b == 0 then null else a / b end;

{status: "measured", runs: (map(.run) | unique | length), raw: .,
 summary: (group_by([.topology, .config]) | map(
	(map(select(.tool == "connrate"))) as $c
	| (map(select(.tool == "iperf3"))) as $i
	| (map(select(.tool == "rr"))) as $r
	| {topology: .[0].topology, config: .[0].config,
	   ns_per_conn: ($c | map(per(.bpf_ns; .connections)) | median),
	   runs_per_conn: ($c | map(per(.bpf_runs; .connections)) | median),
	   ns_per_run: ($c | map(per(.bpf_ns; .bpf_runs)) | median),
	   ns_per_seg_iperf3: ($i | map(per(.bpf_ns; .data_segments)) | median),
	   ns_per_seg_rr: ($r | map(per(.bpf_ns; .data_segments)) | median)}))}
