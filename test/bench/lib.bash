# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: namespaces, cgroups, servers and their cleanup.  Sourced by
# test/bench/run.  Everything created is recorded in the CLEANUP_* arrays
# and removed by bench_cleanup, which the EXIT trap runs even on ^C.

BENCH_TAG=${BENCH_TAG:-tcpopt-bench-$$}
NS_C=$BENCH_TAG-c	# veth, client (sender): 192.0.2.1
NS_S=$BENCH_TAG-s	# veth, server (receiver): 192.0.2.2
NS_L=$BENCH_TAG-l	# loopback: client and server on its lo
ADDR_C=192.0.2.1
ADDR_S=192.0.2.2
ADDR_L=127.0.0.1

CLEANUP_PIDS=()
CLEANUP_CGROUPS=()	# deepest last; removed in reverse order
CLEANUP_NETNS=()
CLEANUP_DONE=0

. "$(dirname "${BASH_SOURCE[0]}")/../lib/reap.bash"

log() {
	printf 'bench: %s\n' "$*" >&2
}

cgroup2_root() {
	if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then
		echo /sys/fs/cgroup/unified
		return
	fi
	awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# Run CMD in CGROUP (relative to the cgroup2 root) inside NETNS: the cgroup
# is joined before "ip netns exec", which remounts /sys.  sh execs ip which
# execs CMD, so the pid of the background job is CMD's.
IN_CGROUP_SH='echo $$ > "$1/cgroup.procs" && shift && exec ip netns exec "$@"'

# bg_in_cgroup CGROUP NETNS CMD...: in the background (servers), killed by
# bench_cleanup.
bg_in_cgroup() {
	sh -c "$IN_CGROUP_SH" sh "$CG_ROOT/$1" "$2" "${@:3}" &
	CLEANUP_PIDS+=($!)
}

# fg_in_cgroup CGROUP NETNS CMD...: wait for it, but from the background so
# that a signal reaches our trap at once rather than when CMD ends.
FG_PID=
fg_in_cgroup() {
	local rc

	sh -c "$IN_CGROUP_SH" sh "$CG_ROOT/$1" "$2" "${@:3}" &
	FG_PID=$!
	wait "$FG_PID"
	rc=$?
	FG_PID=
	return "$rc"
}

make_cgroup() {
	mkdir -p "$CG_ROOT/$1" || return 1
	CLEANUP_CGROUPS+=("$1")
}

# wait_listen NETNS PORT: until something listens on TCP PORT (5 s max).
wait_listen() {
	local i

	for i in $(seq 100); do
		ip netns exec "$1" ss -Htln "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	log "nothing listens on port $2 in $1"
	return 1
}

make_namespaces() {
	local ns

	for ns in "$NS_C" "$NS_S" "$NS_L"; do
		ip netns add "$ns" || return 1
		CLEANUP_NETNS+=("$ns")
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NS_C" link add veth0 type veth peer name veth0 netns "$NS_S" || return 1
	ip -n "$NS_C" addr add "$ADDR_C/24" dev veth0 &&
	ip -n "$NS_S" addr add "$ADDR_S/24" dev veth0 &&
	ip -n "$NS_C" link set veth0 up &&
	ip -n "$NS_S" link set veth0 up
}

# Remove one cgroup: detach tcpopt's programs, kill what still runs in it.
remove_cgroup() {
	[ -d "$CG_ROOT/$1" ] || return 0
	"$TCPOPT" option flush cgroup "$1" >/dev/null 2>&1
	cgroup_kill_rmdir "$CG_ROOT/$1"
}

bench_cleanup() {
	local i ns

	[ "$CLEANUP_DONE" = 1 ] && return
	CLEANUP_DONE=1
	[ -n "$FG_PID" ] && CLEANUP_PIDS+=("$FG_PID")
	reap_pids "${CLEANUP_PIDS[@]}"
	for ((i = ${#CLEANUP_CGROUPS[@]} - 1; i >= 0; i--)); do
		remove_cgroup "${CLEANUP_CGROUPS[i]}"
	done
	for ns in "${CLEANUP_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${WORK:-}" ] && rm -rf "$WORK"
	CLEANUP_PIDS=() CLEANUP_CGROUPS=() CLEANUP_NETNS=()
}

# What a bench killed with SIGKILL left behind (its pid is gone): only
# names of our own pattern.
remove_stale() {
	local dir name pid ns

	for dir in "$CG_ROOT"/tcpopt-bench-*; do
		[ -d "$dir" ] || continue
		name=${dir##*/}
		pid=${name#tcpopt-bench-}
		[ "$pid" != "$$" ] && ! kill -0 "$pid" 2>/dev/null || continue
		log "removing the leftovers of bench $pid"
		# Deepest first: a cgroup with children cannot be removed.
		find "$dir" -depth -type d -printf '%P\n' | while read -r sub; do
			remove_cgroup "$name${sub:+/$sub}"
		done
	done
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $ns in
		tcpopt-bench-*-[csl]) ;;
		*) continue ;;
		esac
		pid=${ns#tcpopt-bench-}
		pid=${pid%-?}
		[ "$pid" != "$$" ] && ! kill -0 "$pid" 2>/dev/null && ip netns del "$ns"
	done
}

# Options that this tcpopt has, from "tcpopt option help".
available_options() {
	"$TCPOPT" option help 2>&1 |
		sed -n '/:= {/,$ s/^ *\([a-z][a-z0-9_-]*\) .*/\1/p'
}
