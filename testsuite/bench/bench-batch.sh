#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Batch throughput and latency on a local cluster of 4 nodes x 2 CPUs, the
# same figures ../shared/anchor-slurm/bench.sh measures for Slurm:
#   (a) serial `lvbatch -H --wrap=true` submissions, jobs/s
#   (b) one `--array=1-10000` submission, ms
#   (c) 1000 trivial jobs, first submission to last completion, jobs/s
#   (d) `lvqueue` with 10,000 pending jobs, median of 20, ms
#   (e) `lvbatch -W --wrap=true` round trip, median of 10, ms
# Usage: bench-batch.sh [--slurm DIR]   (DIR: the anchor-slurm scripts, to
# run Slurm's figures in the same run for ratios)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${N:-1000}
NARRAY=${NARRAY:-10000}
NPEND=${NPEND:-10000}
REPS_Q=${REPS_Q:-20}
REPS_W=${REPS_W:-10}
slurm_dir=""
[ "${1:-}" = "--slurm" ] && slurm_dir=$2

now() { echo "$EPOCHREALTIME"; }
fig() { printf 'FIGURE %-40s = %s\n' "$1" "$2"; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b-a)*1000}'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%.1f", n/(b-a)}'; }
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

work=$(mktemp -d /var/tmp/lv-bench.XXXXXX)
chmod 0755 "$work"
cleanup() { "$top/contrib/local-cluster" down --dir "$work/cluster" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
eval "$("$top/contrib/local-cluster" up --nodes 4 --cpus 2 --dir "$work/cluster" \
	--extra "MaxJobCount=200000")" || exit 1
log=$work/cluster/lvctld.log
ctld_pid=$(cat "$work/cluster/lvctld.pid")
cd "$work"
ended() { grep -c ' ended ' "$log"; }
wait_ended() {
	local target=$1
	for _ in $(seq 60000); do
		[ "$(ended)" -ge "$target" ] && { now; return 0; }
		sleep 0.01
	done
	echo "WARN: only $(ended)/$target jobs ended" >&2
	now
}
rss_mib() { awk '/^VmRSS/{printf "%.1f", $2/1024}' "/proc/$ctld_pid/status"; }

echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r)"
echo "# leviathan: $(lvinfo -h | tr -s ' ' | tr '\n' ';')"

# (a) serial held submissions
t0=$(now)
for _ in $(seq "$N"); do lvbatch -H -o /dev/null --wrap=true >/dev/null || echo "lvbatch failed" >&2; done
t1=$(now)
fig "submit_serial_held_${N}_jobs_per_s" "$(rate "$N" "$t0" "$t1")"
lvcancel -u root

# (b) one big array
t0=$(now)
lvbatch -H -o /dev/null --array=1-"$NARRAY" --wrap=true >/dev/null
t1=$(now)
fig "submit_array_1-${NARRAY}_ms" "$(ms "$t0" "$t1")"
lvcancel -u root

# (d) lvqueue with NPEND pending jobs (submitted as separate jobs)
for _ in $(seq "$NPEND"); do lvbatch -H -o /dev/null --wrap=true; done >/dev/null
fig "pending_jobs_seen" "$(lvqueue -h -t PD | wc -l)"
fig "lvqueue_ms_median_${NPEND}_pending" "$(time_cmd "$REPS_Q" lvqueue)"
fig "lvinfo_ms_median_${NPEND}_pending" "$(time_cmd "$REPS_Q" lvinfo)"
fig "ctld_rss_${NPEND}_pending_MiB" "$(rss_mib)"
t0=$(now)
lvcancel -u root
fig "lvcancel_-u_${NPEND}_pending_ms" "$(ms "$t0" "$(now)")"

# (c) end-to-end throughput of N trivial jobs
base=$(ended)
t0=$(now)
for _ in $(seq "$N"); do lvbatch -o /dev/null --wrap=true >/dev/null || echo "lvbatch failed" >&2; done
t1=$(now)
t2=$(wait_ended $((base + N)))
fig "submit_serial_live_${N}_jobs_per_s" "$(rate "$N" "$t0" "$t1")"
fig "complete_serial_${N}_jobs_per_s" "$(rate "$N" "$t0" "$t2")"
fig "complete_serial_drain_after_last_submit_s" "$(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.2f", b-a}')"

# (e) submit-and-wait round trip
fig "lvbatch_-W_true_ms_median_of_${REPS_W}" "$(time_cmd "$REPS_W" lvbatch -W -o /dev/null --wrap=true)"
fig "lvrun_-n2_hostname_ms_median_of_${REPS_W}" "$(time_cmd "$REPS_W" lvrun -n 2 hostname)"
fig "ctld_rss_end_MiB" "$(rss_mib)"

if [ -n "$slurm_dir" ]; then
	echo "# Slurm, same machine, same run"
	bash "$slurm_dir/setup.sh" >/dev/null 2>&1 || { echo "# slurm setup failed"; exit 0; }
	N=$N bash "$slurm_dir/bench.sh" query
	N=$N bash "$slurm_dir/bench.sh" complete
	N=1000 bash "$slurm_dir/bench.sh" array
	bash "$slurm_dir/bench.sh" srun
	bash "$slurm_dir/stop.sh" >/dev/null 2>&1
fi
