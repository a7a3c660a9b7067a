#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The scheduler with a long queue: NPEND pending jobs (default 100,000) on
# NODES simulated nodes (default 10,000, 'pack:2 core:8 pu:1' = 16 CPUs,
# all served by one lvd).  Ten wide jobs fill all but IDLE nodes (default
# 50) for an hour, so the queue waits and backfill has a little room.
#   (a) submissions/s of bench_sched over one connection while the
#       controller schedules them as they come (new-job passes)
#   (b) controller RSS per pending job (RSS after the load minus before)
#   (c) one full scheduling pass (priorities of every job, sort, pass) and
#       one backfill cycle (busy and wall time), from lvcontrol show stats
#   (d) submissions/s while backfill cycles run back to back
#   (e) lvqueue latency (all jobs; one user's running jobs), median of 3
# With POLICY=FILE the controller loads that Lua policy (e.g.
# testsuite/bench/bench-policy.lua: place() and priority()), and the
# hooks' calls and mean cost per call are printed at the end.
# Usage: make -C testsuite/bench bench_sched && testsuite/bench/bench-sched.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
NODES=${NODES:-10000}
NPEND=${NPEND:-100000}
NBUSY=${NBUSY:-5000}
POLICY=${POLICY:-}
[ -z "$POLICY" ] || POLICY=$(realpath "$POLICY")
IDLE=${IDLE:-50}
BENCH_SCHED=${BENCH_SCHED:-$here/bench_sched}
export PATH=$top/src/cmd:$top/src/sched:$top/src/node:$PATH

now() { echo "$EPOCHREALTIME"; }
fig() { printf 'FIGURE %-40s = %s\n' "$1" "$2"; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b-a)*1000}'; }
time_cmd() {
	local reps=$1 t0
	shift
	for _ in $(seq "$reps"); do
		t0=$(now)
		"$@" >/dev/null 2>&1
		ms "$t0" "$(now)"
		echo
	done | median
}
stat_of() { lvcontrol show stats | sed -n "s/^[[:space:]]*$1:[[:space:]]*\([0-9]*\).*/\1/p" | head -n 1; }
json_stat() { lvcontrol --json show stats | sed -n "s/^ *\"$1\": \([0-9.]*\),*$/\1/p" | head -n "${2:-1}" | tail -n 1; }

[ -x "$BENCH_SCHED" ] || { echo "build it first: make -C testsuite/bench bench_sched" >&2; exit 1; }
work=$(mktemp -d /var/tmp/lv-bench-sched.XXXXXX)
chmod 0755 "$work"
cleanup() { "$top/contrib/local-cluster" down --dir "$work/cluster" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r) tree=$(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
# Simulated nodes share one port: two free ones are enough (local-cluster
# would otherwise probe NODES+1 of them).
port=$(( 20000 + RANDOM % 10000 ))
t0=$(now)
eval "$("$top/contrib/local-cluster" up --nodes "$NODES" --sim 'pack:2 core:8 pu:1' \
	--dir "$work/cluster" --port "$port" --timeout 600 \
	--extra "MaxJobCount=$((NPEND + NBUSY + 100))" --extra "JournalSync=NO" \
	--extra "BackfillInterval=1" \
	--extra "PriorityWeightAge=1000 PriorityWeightJobSize=1000 PriorityWeightFairshare=10000" \
	${POLICY:+--extra "PolicyScript=$POLICY"})" || exit 1
fig "cluster_up_${NODES}_sim_nodes_s" "$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')"
ctld_pid=$(cat "$work/cluster/lvctld.pid")
rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$ctld_pid/status"; }
cd "$work"

# Fill all but IDLE nodes with ten wide jobs for an hour.
per=$(((NODES - IDLE) / 10))
for _ in $(seq 10); do
	lvbatch -N "$per" --exclusive -t 60 -o /dev/null --wrap "sleep 3600" >/dev/null
done
for _ in $(seq 600); do
	[ "$(lvqueue -h -t R | wc -l)" -ge 10 ] && break
	sleep 0.5
done
fig "running_wide_jobs" "$(lvqueue -h -t R | wc -l)"
rss0=$(rss_kib)

# (a) the load
"$BENCH_SCHED" -n "$NPEND" -l submit_jobs_per_s_load
rss1=$(rss_kib)
fig "pending_jobs" "$(lvqueue -h -t PD | wc -l)"
# (b)
fig "ctld_rss_before_MiB" "$((rss0 / 1024))"
fig "ctld_rss_after_MiB" "$((rss1 / 1024))"
fig "ctld_rss_per_pending_job_bytes" "$(awk -v a="$rss0" -v b="$rss1" -v n="$NPEND" 'BEGIN{printf "%.0f", (b-a)*1024/n}')"

# (c) wait for two complete backfill cycles after the load, then read the
# last full pass and the last cycle.
c0=$(stat_of "Total cycles")
for _ in $(seq 600); do
	[ "$(stat_of "Total cycles")" -ge $((c0 + 2)) ] && break
	sleep 0.5
done
lvcontrol show stats
lvcontrol show stats >stats.txt
# main: "Last cycle: W (wall), C (cpu)"; backfill: "Last cycle: B (busy),
# C (cpu), W (wall)" -- the first and the second such line.
cyc() { awk -v n="$1" -v f="$2" '/Last cycle:/ && ++k == n {gsub(/[(),]/, ""); printf "%.1f", $f/1000}' stats.txt; }
fig "full_pass_last_wall_ms" "$(cyc 1 3)"
fig "full_pass_last_cpu_ms" "$(cyc 1 5)"
fig "full_pass_max_wall_ms" "$(json_stat max_us | awk '{printf "%.1f", $1/1000}')"
fig "full_pass_queue_length" "$(sed -n 's/.*Last queue length: *//p' stats.txt)"
fig "backfill_cycle_busy_ms" "$(cyc 2 3)"
fig "backfill_cycle_cpu_ms" "$(cyc 2 5)"
fig "backfill_cycle_wall_ms" "$(cyc 2 7)"
fig "backfill_jobs_tested" "$(sed -n 's/.*Last depth cycle (try sched): *//p' stats.txt)"
fig "backfill_jobs_started_total" "$(json_stat total_started)"

# (d) more submissions while backfill cycles run every second
"$BENCH_SCHED" -n "$NBUSY" -f "$NPEND" -l submit_jobs_per_s_during_backfill

# (e) queries
fig "lvqueue_all_ms_median_3" "$(time_cmd 3 lvqueue)"
fig "lvqueue_user_running_ms_median_3" "$(time_cmd 3 lvqueue -u root -t R)"
fig "lvprio_one_job_ms_median_3" "$(time_cmd 3 lvprio -j 100)"
fig "lvshare_ms_median_3" "$(time_cmd 3 lvshare -a)"
lvcontrol show stats | sed 's/^/# /'
if [ -n "$POLICY" ]; then
	lvcontrol show policy >policy.txt
	for h in place priority; do
		line=$(grep "Hook=$h " policy.txt)
		fig "policy_${h}_calls" "$(sed -n 's/.*Calls=\([0-9]*\).*/\1/p' <<<"$line")"
		fig "policy_${h}_errors" "$(sed -n 's/.*Errors=\([0-9]*\).*/\1/p' <<<"$line")"
		fig "policy_${h}_mean_us" "$(sed -n 's/.*MeanUs=\([0-9.]*\).*/\1/p' <<<"$line")"
	done
fi
