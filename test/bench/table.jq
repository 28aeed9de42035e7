# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: results.json -> the table on stdout (tab-separated; the
# caller aligns it with column -t).

include "lib";

# "value (ratio)" for one metric; SCALE divides the median.
def cell($m; scale; d):
	if $m == null or $m.median == null then "n/a"
	else "\($m.median / scale | fixed(d)) (\($m.ratio | fixed(2)))"
	end;

(["topology", "config", "throughput Gbit/s", "CPU sender %", "CPU receiver %",
  "RTT p50 us", "RTT p99 us", "connections/s"] | join("\t")),
(.summary[]
 | if .status != "measured" then
     [.topology, .config, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]
   else
     [.topology, .config,
      cell(.throughput_bps; 1e9; 2), cell(.cpu_sender_pct; 1; 1),
      cell(.cpu_receiver_pct; 1; 1), cell(.rtt_p50_us; 1; 1),
      cell(.rtt_p99_us; 1; 1), cell(.conn_per_s; 1; 0)]
   end
 | join("\t"))
