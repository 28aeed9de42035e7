# SPDX-License-Identifier: GPL-2.0
# Teardown shared by the suites (common.bash's cleanup_all) and the bench
# (test/bench/lib.bash's bench_cleanup): stop what a run started.

# reap_pids PID...: kill the processes (this shell's children), then reap
# them so that none outlives the run.
reap_pids() {
	local pid

	for pid in "$@"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "$@"; do
		wait "$pid" 2>/dev/null
	done
	return 0
}

# cgroup_kill_rmdir DIR: kill what still runs in the cgroup DIR, remove it.
# A task that left cgroup.procs may still be exiting (the cgroup stays
# populated, rmdir says EBUSY): retry for up to 5 s.
cgroup_kill_rmdir() {
	local dir=$1 i

	[ -f "$dir/cgroup.procs" ] || return 0
	xargs -r kill -9 <"$dir/cgroup.procs" 2>/dev/null
	for i in $(seq 100); do
		if [ ! -s "$dir/cgroup.procs" ] && rmdir "$dir" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	return 0
}
