# SPDX-License-Identifier: GPL-2.0
# Shared by the bats suites: the tcpopt under test, throwaway namespaces and
# cgroups, and cleanup that runs even when a test fails (call
# cleanup_all from teardown).

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load "$(dirname "${BASH_SOURCE[0]}")/assert"
load "$(dirname "${BASH_SOURCE[0]}")/reap"

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
TCPOPT=${TCPOPT:-$TOP/tcpopt/tcpopt}
HELPERS=${HELPERS:-$TOP/build/helpers}
# Debian's python3 has scapy; a pyenv one on PATH may not.
PYTHON=${PYTHON:-/usr/bin/python3}

tcpopt() {
	"$TCPOPT" "$@"
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, cgroups, bpffs)"
}

# require_feature NAME...: skip unless "tcpopt feature" says that the running
# kernel has each of them.  The only reason a root test may skip: what the
# kernel lacks, in tcpopt's own words (the command itself refuses then).
# !NAME is the converse, for a test of the refusal or of the fallback: skip
# when the kernel has NAME (make check-kernels runs it where it does not).
require_feature() {
	local f
	if [ -z "${FEATURES_JSON:-}" ]; then
		FEATURES_JSON=$("$TCPOPT" -j feature) || return 1
	fi
	for f in "$@"; do
		if [ "${f#!}" != "$f" ]; then
			if has_feature "${f#!}"; then
				skip "the kernel has ${f#!} (tcpopt feature)"
			fi
		else
			has_feature "$f" ||
				skip "the kernel lacks $f (tcpopt feature)"
		fi
	done
}

# has_feature NAME: does "tcpopt feature" say the running kernel has it?
has_feature() {
	if [ -z "${FEATURES_JSON:-}" ]; then
		FEATURES_JSON=$("$TCPOPT" -j feature) || return 2
	fi
	# a predicate: its status is the function's
	jq -e --arg f "$1" 'any(.[]; .feature == $f and .supported)' <<<"$FEATURES_JSON" >/dev/null	# lint: bare-jq
}

# require_no_feature NAME: require_feature !NAME.
require_no_feature() {
	require_feature "!$1"
}

# kernel_at_least MAJOR MINOR: is the running kernel that release or later
# (uname -r)?  For what a kernel reports, not what it can do (that is a
# feature): e.g. the fields of a structure it fills in.
kernel_at_least() {
	local rel major minor
	rel=$(uname -r)
	major=${rel%%.*}
	minor=${rel#*.}
	minor=${minor%%[!0-9]*}
	# a predicate: its status is the function's
	[ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }	# lint: bare-test
}

cgroup2_root() {
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# A short tag unique to this test, for names of namespaces and cgroups.
# test/run gives each suite a prefix of its own (TCPOPT_TEST_PREFIX) and
# looks for names that start with it once the suite is done.
test_tag() {
	echo "${TCPOPT_TEST_PREFIX:-to$$t}${BATS_TEST_NUMBER}"
}

CLEANUP_NETNS=()
CLEANUP_CGROUPS=()
CLEANUP_PIDS=()
CLEANUP_FILES=()

# make_cgroup NAME: a cgroup below the cgroup2 root (parents made too),
# removed by cleanup_all.  Its id goes to test/run's list, which finds pins
# of the suite's cgroups that were left behind.
make_cgroup() {
	local root path="" part
	root=$(cgroup2_root)
	local IFS=/
	for part in $1; do
		[ -n "$part" ] || continue
		path=${path:+$path/}$part
		[ -d "$root/$path" ] && continue
		mkdir "$root/$path"
		CLEANUP_CGROUPS+=("$path")
		if [ -n "${TCPOPT_TEST_STATE:-}" ]; then
			stat -c %i "$root/$path" >>"$TCPOPT_TEST_STATE/cgroup-ids"
		fi
	done
}

# in_cgroup CGROUP NETNS CMD...: run CMD in the cgroup, inside the netns.
# The cgroup is joined before "ip netns exec" remounts /sys.
in_cgroup() {
	local cg=$1 ns=$2
	shift 2
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec ip netns exec "$@"' \
		sh "$(cgroup2_root)/$cg" "$ns" "$@"
}

# bg CMD...: start CMD in the background; killed by cleanup_all.
bg() {
	"$@" &
	CLEANUP_PIDS+=($!)
}

# add_netns_pair: the namespaces $NS_C (client) and $NS_S (server), named
# after the test and registered for cleanup_all; nothing in them yet.
add_netns_pair() {
	local tag
	tag=$(test_tag)
	NS_C=${tag}c
	NS_S=${tag}s
	ip netns add "$NS_C"
	CLEANUP_NETNS+=("$NS_C")
	ip netns add "$NS_S"
	CLEANUP_NETNS+=("$NS_S")
}

# Two namespaces joined by veth: $NS_C (client) and $NS_S (server),
# 192.0.2.1 / 192.0.2.2 and 2001:db8::1 / 2001:db8::2.
make_netns_pair() {
	add_netns_pair
	ip -n "$NS_C" link add veth0 type veth peer name veth0 netns "$NS_S"
	for ns in "$NS_C" "$NS_S"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$NS_C" addr add 192.0.2.1/24 dev veth0
	ip -n "$NS_S" addr add 192.0.2.2/24 dev veth0
	ip -n "$NS_C" addr add 2001:db8::1/64 dev veth0 nodad
	ip -n "$NS_S" addr add 2001:db8::2/64 dev veth0 nodad
	ip -n "$NS_C" link set veth0 up
	ip -n "$NS_S" link set veth0 up
}

# start_capture NS FILE [FILTER [IFACE]]: tcpdump in NS on IFACE (veth0)
# writing FILE; returns once it listens.
start_capture() {
	local ns=$1 file=$2 filter=${3:-tcp} iface=${4:-veth0}
	local log="$file.log"
	CLEANUP_FILES+=("$file" "$log")
	ip netns exec "$ns" tcpdump -i "$iface" --immediate-mode -U -Z root -n -s 200 -w "$file" "$filter" 2>"$log" &
	CLEANUP_PIDS+=($!)
	CAPTURE_PID=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "tcpdump did not start: $(cat "$log")" >&2
	return 1
}

stop_capture() {
	sleep 0.1
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null || true
}

# tcp_options FILE FILTER: the TCP options of each matching packet, one
# line per packet, as hex (tshark display filter syntax).
tcp_options() {
	tshark -r "$1" -Y "$2" -T fields -e tcp.options 2>/dev/null | tr -d ':'
}

# tcp_option_list HEX: one packet's options, one a line, as hex (kind,
# length, data); stops at the end of the list or at a broken length.
tcp_option_list() {
	local hex=$1 kind len
	while [ ${#hex} -ge 2 ]; do
		kind=$((16#${hex:0:2}))
		case $kind in
		0) return 0 ;;
		1) hex=${hex:2}; continue ;;
		esac
		[ ${#hex} -ge 4 ] || return 0
		len=$((16#${hex:2:2}))
		[ "$len" -ge 2 ] || return 0
		echo "${hex:0:$((len * 2))}"
		hex=${hex:$((len * 2))}
	done
}

# find_option HEX KIND: the first option of that kind (hex), nothing if absent.
find_option() {
	local opt
	while read -r opt; do
		if [ $((16#${opt:0:2})) -eq "$2" ]; then
			echo "$opt"
			return 0
		fi
	done < <(tcp_option_list "$1")
}

# private_bpffs: from now on "priv CMD..." runs CMD in a mount namespace of
# this test's own with a fresh bpffs on /sys/fs/bpf: a global command
# ("option flush", "stats reset" without a cgroup) reaches only what the
# test attached there, never the machine's.  The pins (and with them the
# attachments) go with the namespace, which cleanup_all ends.
private_bpffs() {
	local ready=$BATS_TEST_TMPDIR/private-bpffs
	unshare -m --propagation private \
		sh -c 'mount -t bpf bpf /sys/fs/bpf && echo ready && exec sleep 3600' >"$ready" &
	PRIV_PID=$!
	CLEANUP_PIDS+=($!)
	for _ in $(seq 100); do
		grep -q ready "$ready" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no private bpffs"
}

priv() {
	nsenter -t "$PRIV_PID" -m "$@"
}

# The root cgroup's path-manager and MPTCP-upgrade attachments (pins
# PIN_ROOT/ID/{pm,mptcp}) that existed when this file was loaded, i.e.
# before the test: cleanup_all removes only those the test made.
# "pm set fullmesh" without a cgroup attaches the BPF PM to "/".
pin_dir_of_cgroup() {
	echo "/sys/fs/bpf/tcpopt/$(stat -c %i "$(cgroup2_root)/${1#/}" 2>/dev/null)"
}
ROOT_ATTACHED_BEFORE=
for _pin in pm mptcp; do
	[ -e "$(pin_dir_of_cgroup /)/$_pin" ] && ROOT_ATTACHED_BEFORE+=" $_pin"
done
unset _pin

# assert_no_pins CGROUP: tcpopt pinned nothing for the cgroup.
assert_no_pins() {
	assert [ ! -e "$(pin_dir_of_cgroup "$1")" ]
}

# detach_pm_and_mptcp CGROUP: "pm del" and "mptcp disable" for the cgroup
# if it has a BPF PM or an MPTCP-upgrade program attached.
detach_pm_and_mptcp() {
	local dir
	dir=$(pin_dir_of_cgroup "$1")
	[ -e "$dir/pm" ] && "$TCPOPT" pm del cgroup "$1" >/dev/null 2>&1
	[ -e "$dir/mptcp" ] && "$TCPOPT" mptcp disable cgroup "$1" >/dev/null 2>&1
	return 0
}

cleanup_all() {
	local cg ns i pin
	reap_pids "${CLEANUP_PIDS[@]}"
	# innermost first: children were registered after their parents
	for ((i = ${#CLEANUP_CGROUPS[@]} - 1; i >= 0; i--)); do
		cg=${CLEANUP_CGROUPS[i]}
		"$TCPOPT" option flush cgroup "$cg" >/dev/null 2>&1
		detach_pm_and_mptcp "/$cg"
		cgroup_kill_rmdir "$(cgroup2_root)/$cg"
	done
	# what the test attached to the root cgroup (not what was there before)
	for pin in pm mptcp; do
		case " $ROOT_ATTACHED_BEFORE " in
		*" $pin "*) continue ;;
		esac
		[ -e "$(pin_dir_of_cgroup /)/$pin" ] || continue
		case $pin in
		pm) "$TCPOPT" pm del >/dev/null 2>&1 ;;
		mptcp) "$TCPOPT" mptcp disable >/dev/null 2>&1 ;;
		esac
	done
	# what still runs in the test's namespaces is the test's, started by
	# something it did not register (it would keep bats waiting on its
	# output, and the namespace alive)
	for ns in "${CLEANUP_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "${CLEANUP_FILES[@]}"
	if [ -n "${BPF_STATS_WAS:-}" ]; then
		sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS"
		BPF_STATS_WAS=
	fi
	CLEANUP_PIDS=() CLEANUP_CGROUPS=() CLEANUP_NETNS=() CLEANUP_FILES=()
}
