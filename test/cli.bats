#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The command line without privileges: help, prefixes, bad input, batch.
# Nothing here touches the kernel's state.

load lib/common

@test "cli: -h, -V and help at every level" {
	run tcpopt -h
	assert_success
	assert_line --index 0 --partial "Usage: tcpopt [OPTIONS] OBJECT"
	run tcpopt -Version
	assert_success
	assert_output --regexp '^tcpopt [0-9]+\.[0-9]+\.[0-9]+$'
	run tcpopt help
	assert_success
	assert_output --partial "OBJECT := {"
	run tcpopt option help
	assert_success
	assert_output --partial "tcpopt option add NAME"
	assert_output --partial "uto TIMEOUT [ min L ] [ max U ]"
	run tcpopt feature help
	assert_success
	assert_output --partial "tcpopt feature"
}

@test "cli: no object is a usage error" {
	run tcpopt
	assert_failure 2
	assert_output --partial "Usage:"
}

@test "cli: unique prefixes of objects and commands" {
	run tcpopt opt help
	assert_success
	assert_output --partial "tcpopt option add"
	run tcpopt o h
	assert_success
	assert_output --partial "tcpopt option add"
	run tcpopt -j feat
	assert_success
	assert_jq 'type == "array" and length > 0'
}

@test "cli: an unknown object lists the choices" {
	run tcpopt bogus
	assert_failure 2
	assert_output --regexp '^tcpopt: unknown object "bogus" \(choose from: option, .*feature.*help\)$'
}

@test "cli: an unknown command lists the choices" {
	run tcpopt option frobnicate
	assert_failure 2
	assert_output --regexp '^tcpopt: option: unknown command "frobnicate" \(choose from: list, add, set, del, show, flush, help\)$'
}

@test "cli: an ambiguous command names the candidates" {
	# "s" is set, show (and more): ambiguous
	run tcpopt option s
	assert_failure 2
	assert_output --regexp '^tcpopt: option: ambiguous command "s" \(could be: set, show'
}

@test "cli: unknown option name" {
	run tcpopt option add nosuch 1
	assert_failure 2
	assert_output --regexp '^tcpopt: option: unknown option "nosuch" \(choose from: .*uto'
}

@test "cli: -- ends the global options" {
	run tcpopt -j -- feature help
	assert_success
	assert_output --partial "Usage: tcpopt feature"
	# after it, "-j" is not an option but a word: an unknown object
	run tcpopt -- -j feature
	assert_failure 2
	assert_output --regexp '^tcpopt: unknown object "-j" \(choose from: '
	run tcpopt --
	assert_failure 2
	assert_output --partial "Usage:"
}

@test "cli: unknown global option" {
	run tcpopt -x option list
	assert_failure 2
	assert_output 'tcpopt: unknown option "-x" (try "tcpopt -help")'
}

@test "cli: missing values" {
	run tcpopt option add
	assert_failure 2
	assert_output 'tcpopt: option: missing option name (see "tcpopt option help")'
	run tcpopt option add uto
	assert_failure 2
	assert_output 'tcpopt: option: uto: missing timeout'
	run tcpopt option add uto 30s cgroup
	assert_failure 2
	assert_output 'tcpopt: option: missing value after "cgroup"'
	run tcpopt -n
	assert_failure 2
	assert_output 'tcpopt: option "-n" needs a value'
}

@test "cli: bad units and malformed numbers" {
	for bad in abc 30x 1.5.5s -5s "" 30sec5; do
		run tcpopt option add uto "$bad" cgroup /
		assert_failure 2
		assert_output "tcpopt: option: invalid timeout \"$bad\" (1s to 32767min)"
	done
	run tcpopt option add uto 250ms
	assert_failure 2
	assert_output 'tcpopt: option: invalid timeout "250ms" (1s to 32767min)'
	run tcpopt option add uto 1500ms
	assert_failure 2
	assert_output 'tcpopt: option: invalid timeout "1500ms": the option carries whole seconds'
}

@test "cli: values out of range give the accepted range" {
	run tcpopt option add uto 0
	assert_failure 2
	assert_output 'tcpopt: option: invalid timeout "0" (1s to 32767min)'
	run tcpopt option add uto 32768min
	assert_failure 2
	assert_output 'tcpopt: option: invalid timeout "32768min" (1s to 32767min)'
	run tcpopt option add uto 40000s
	assert_failure 2
	assert_output 'tcpopt: option: invalid timeout "40000s": above 32767s the option carries whole minutes'
	run tcpopt option add uto 30s max 30d
	assert_failure 2
	assert_output 'tcpopt: option: invalid max "30d" (1ms to 24d)'
	run tcpopt option add uto 30s dport 70000
	assert_failure 2
	assert_output 'tcpopt: option: invalid dport "70000" (1 to 65535, or any)'
	run tcpopt option add uto 30s sport 0
	assert_failure 2
	assert_output 'tcpopt: option: invalid sport "0" (1 to 65535, or any)'
	run tcpopt option add uto 30s dst 192.0.2.1/33
	assert_failure 2
	assert_output 'tcpopt: option: invalid dst "192.0.2.1/33" (an IPv4 or IPv6 address or prefix, or any)'
	run tcpopt option add uto 30s src 192.0.2.1/24
	assert_failure 2
	assert_output --partial 'invalid src "192.0.2.1/24"'
	run tcpopt option add uto 30s min 10min max 1min
	assert_failure 2
	assert_output 'tcpopt: option: min 10min is above max 1min'
}

@test "cli: keywords that do not belong" {
	run tcpopt option add uto 30s bogus 1
	assert_failure 2
	assert_output --regexp '^tcpopt: option: unknown keyword "bogus" \(choose from: cgroup, dport'
	run tcpopt option set uto 30s replace
	assert_failure 2
	assert_output 'tcpopt: option: "replace" goes with "add" only'
	run tcpopt option del uto 30s
	assert_failure 2
	assert_output 'tcpopt: option: unknown keyword "30s" (choose from: cgroup)'
	run tcpopt option set uto
	assert_failure 2
	assert_output 'tcpopt: option: uto: nothing to set'
	run tcpopt feature show extra
	assert_failure 2
	assert_output 'tcpopt: feature: unexpected argument "extra"'
}

@test "cli: an unknown cgroup is refused before anything is done" {
	run tcpopt option add uto 30s cgroup no/such/cgroup
	assert_failure 1
	assert_output --regexp '^tcpopt: option: unknown cgroup "no/such/cgroup" \(no .*/no/such/cgroup\)$'
	run tcpopt option add uto 30s cgroup ../escape
	assert_failure 2
	assert_output 'tcpopt: option: invalid cgroup "../escape": ".." is not allowed'
}

@test "cli: with -j errors are JSON on stdout too" {
	run --separate-stderr tcpopt -j option add uto abc
	assert_failure 2
	assert_jq '.error == "invalid timeout \"abc\" (1s to 32767min)"'
	assert_equal "$stderr" 'tcpopt: option: invalid timeout "abc" (1s to 32767min)'
}

@test "cli: an unknown netns is a run-time error" {
	run tcpopt -n no-such-ns-$$ feature
	assert_failure 1
	assert_output --partial 'cannot open network namespace "no-such-ns-'
}

@test "cli: batch runs each line and stops at the first failure, naming it" {
	batch=$BATS_TEST_TMPDIR/batch
	cat >"$batch" <<-'EOT'
	# a comment, then a blank line

	feature help
	option help   # trailing comment
	option add uto "not a time"
	feature help
	EOT
	run tcpopt -b "$batch"
	assert_failure 2
	assert_line 'tcpopt: option: invalid timeout "not a time" (1s to 32767min)'
	assert_line "tcpopt: batch: $batch:5: command failed"
	# the last line never ran: one feature help only
	assert_equal "$(grep -c '^Usage: tcpopt feature' <<<"$output")" 1
}

@test "cli: batch from stdin, with -j one document per command" {
	run bash -c "printf 'feature\nfeature\n' | '$TCPOPT' -j -b -"
	assert_success
	assert_equal "$(jq -s length <<<"$output")" 2
	run bash -c "printf 'option add uto \"unterminated\n' | '$TCPOPT' -b -"
	assert_failure 2
	assert_output 'tcpopt: batch: -:1: unterminated quote'
	run tcpopt -b /no/such/file
	assert_failure 1
	assert_output 'tcpopt: batch: cannot open "/no/such/file": No such file or directory'
}

@test "cli: feature reports upstream and patch-set features as JSON" {
	run tcpopt -j feature
	assert_success
	assert_jq 'all(has("feature") and has("supported") and has("provided_by") and has("used_by"))'
	assert_jq '[.[] | select(.feature == "hdr_options")][0].provided_by == "upstream"'
	assert_jq '[.[] | select(.feature == "delack_segs")][0].provided_by == "tcpopt-kernel"'
	run tcpopt -p feature
	assert_success
	assert_jq .
	assert [ "$(wc -l <<<"$output")" -gt 10 ]
}

@test "cli: feature as a table: a header, then a row per feature, as in JSON" {
	run tcpopt -j feature
	assert_success
	json=$output
	run tcpopt feature
	assert_success
	assert_line --index 0 --regexp '^FEATURE +SUPPORTED +PROVIDED BY +USED BY$'
	assert_equal "$((${#lines[@]} - 1))" "$(jq length <<<"$json")"
	# every row says what the JSON says
	while IFS=$'\t' read -r name supported by; do
		[ "$supported" = true ] && yes=yes || yes=no
		assert_line --regexp "^$name +$yes +$by +"
	done < <(jq -r '.[] | [.feature, (.supported | tostring), .provided_by] | @tsv' <<<"$json")
}

@test "cli: feature finds what this kernel has (probed, not assumed)" {
	require_root
	run tcpopt -j feature
	assert_success
	assert_jq '[.[] | select(.feature == "hdr_options")][0].supported == true'
	# The stock kernel lacks the patch set: tcpopt must say so, feature
	# by feature (the VM suite test/kernel/btf.bats checks the converse).
	dump=$(bpftool btf dump file /sys/kernel/btf/vmlinux)
	if ! grep -q "'TCP_BPF_DELACK_SEGS'" <<<"$dump"; then
		assert_jq '[.[] | select(.feature == "delack_segs")][0].supported == false'
	fi
	if ! grep -q "'bpf_mptcp_sock_ops_subflow_connect'" <<<"$dump"; then
		assert_jq '[.[] | select(.feature == "mptcp_subflow_kfunc" or .feature == "mptcp_bpf_pm" or .feature == "mptcp_sockops")] | length == 3 and all(.supported == false)'
	fi
	# MPTCP support must match what a socket() call says.
	if "$PYTHON" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)' 2>/dev/null; then
		want=true
	else
		want=false
	fi
	assert_jq --argjson w "$want" '[.[] | select(.feature == "mptcp")][0].supported == $w'
}
