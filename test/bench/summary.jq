# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: medians, and ratios to the baseline of the same run.
# Input: {topologies, configs, raw}; output: the summary array.  Raw lines
# come one per tool and run, each with some of the metrics.
# A ratio is computed per run (config / baseline of that run, the two
# measured minutes apart at most) and the median of those is reported.

include "lib";

def metrics:
	["throughput_bps", "cpu_sender_pct", "cpu_receiver_pct",
	 "rtt_p50_us", "rtt_p99_us", "conn_per_s"];

.raw as $raw
| .configs[0].name as $base
| [ .topologies[] as $t | .configs[] as $c
    | if $c.status != "measured" then
        {topology: $t, config: $c.name, status: $c.status, reason: $c.reason}
      else
        ($raw | map(select(.topology == $t and .config == $c.name))) as $mine
        | ($raw | map(select(.topology == $t and .config == $base))) as $b
        | {topology: $t, config: $c.name, status: "measured",
           runs: ($mine | map(.run) | unique | length)}
          + (reduce metrics[] as $m ({};
              .[$m] = {
                median: ($mine | map(.[$m]) | median),
                min: ($mine | map(.[$m] | select(. != null)) | min),
                max: ($mine | map(.[$m] | select(. != null)) | max),
                ratio: ([ $mine[] as $r
                          | ($b | map(select(.run == $r.run and .[$m] != null))
                             | .[0][$m]) as $bv
                          | if $r[$m] != null and $bv != null and $bv != 0
                            then $r[$m] / $bv else null end ] | median)
              }))
      end ]
