#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tcpopt feature against independent witnesses of the running kernel
# (bpftool's own probes, the BTF dump, /proc/sys), and the feature x kernel
# table of the README and tcpopt-feature(8) against the records of make
# check-kernels.  make check-kernels runs this suite on each of its kernels.

bats_require_minimum_version 1.5.0

load lib/common

# supported NAME: true or false, as "tcpopt -j feature" says.
supported() {
	jq -r --arg f "$1" '.[] | select(.feature == $f) | .supported' <<<"$FEATURES"
}

@test "feature: the README's and tcpopt-feature(8)'s table is what check-kernels measured" {
	run "$TOP/kernel/feature-table" check
	assert_success
	# every record names exactly the features this tcpopt probes: a new
	# probe needs a new run of make check-kernels
	names=$("$TCPOPT" -j feature | jq -c '[.[].feature]')
	for k in debian stock patched host; do
		run jq -c '[.features[].feature]' "$TOP/kernel/features/$k.json"
		assert_success
		assert_equal "$k: $output" "$k: $names"
	done
}

@test "feature: the BPF probes agree with bpftool's" {
	require_root
	FEATURES=$("$TCPOPT" -j feature)
	probe=$(bpftool -j feature probe kernel 2>/dev/null)
	has() {
		# a value, not a check
		jq --arg h "$1" '.helpers.sock_ops_available_helpers | index($h) != null' <<<"$probe"
	}
	assert_equal "sockops $(supported sockops)" \
		"sockops $(jq .program_types.have_sock_ops_prog_type <<<"$probe")"
	assert_equal "struct_ops $(supported struct_ops)" \
		"struct_ops $(jq .program_types.have_struct_ops_prog_type <<<"$probe")"
	assert_equal "bpf_loop $(supported bpf_loop)" "bpf_loop $(has bpf_loop)"
	want=false
	if [ "$(has bpf_reserve_hdr_opt)$(has bpf_store_hdr_opt)$(has bpf_load_hdr_opt)" = truetruetrue ]; then
		want=true
	fi
	assert_equal "hdr_options $(supported hdr_options)" "hdr_options $want"
	# tcpopt's also checks that the map takes BPF_F_CLONE
	if [ "$(supported sk_storage)" = true ]; then
		assert_equal "$(jq .map_types.have_sk_storage_map_type <<<"$probe")" true
		assert_equal "$(has bpf_sk_storage_get)" true
	fi
}

@test "feature: the MPTCP and hook probes agree with BTF and /proc/sys" {
	require_root
	FEATURES=$("$TCPOPT" -j feature)
	dump=$(bpftool btf dump file /sys/kernel/btf/vmlinux)
	want=false
	grep -q "'MPTCP_EVENT_LISTENER_CREATED'" <<<"$dump" && want=true
	assert_equal "mptcp_listener_events $(supported mptcp_listener_events)" \
		"mptcp_listener_events $want"
	want=false
	[ -e /proc/sys/net/mptcp/path_manager ] && want=true
	assert_equal "mptcp_path_manager $(supported mptcp_path_manager)" \
		"mptcp_path_manager $want"
	# no function, no hook; with it, the probe also attached a program
	if ! grep -q "FUNC 'update_socket_protocol'" <<<"$dump"; then
		assert_equal "$(supported mptcp_upgrade)" false
	fi
	# nothing of the probe stays attached
	run bpftool -j prog show
	assert_success
	assert_equal "$(jq '[.[] | select(.name == "tcpopt_probe")] | length' <<<"$output")" 0
}
