#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What durability costs lvctld, on a local cluster of 2 nodes x 2 CPUs:
#   (1) held submissions per second, serial `lvbatch -H` and P parallel
#       submit loops (group commit), with the journal synced (durable)
#       and with the hidden JournalSync=no (written, never fdatasync'd),
#       both clusters up side by side, serial rounds alternating;
#   (2) restart time with NREC held jobs in the state: from exec of lvctld
#       to the first answered ping, after SIGTERM (one snapshot to read)
#       and after SIGKILL (snapshot plus the records written since).
# Usage: bench-durable.sh   (env: N serial submissions in R rounds, P loops of M
# submissions, NREC jobs for the restart, WORK directory on the disk to
# measure; default /var/tmp)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
N=${N:-1000}
P=${P:-8}
M=${M:-500}
NREC=${NREC:-100000}

now() { echo "$EPOCHREALTIME"; }
fig() { printf 'FIGURE %-44s = %s\n' "$1" "$2"; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%.1f", n/(b-a)}'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", (b-a)*1000}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }

work=$(mktemp -d "${WORK:-/var/tmp}/lv-bench-durable.XXXXXX")
chmod 0755 "$work"
# Private copies: a rebuild of the tree during the run must not break it.
mkdir "$work/bin"
for p in cmd/lvbatch cmd/lvcancel cmd/lvqueue cmd/lvcontrol sched/lvctld; do
	cp "$top/src/$p" "$work/bin/" || exit 1
done
export PATH=$work/bin:$PATH
clusters=
down() {
	local c
	for c in $clusters; do
		"$top/contrib/local-cluster" down --dir "$c" >/dev/null 2>&1
	done
	clusters=
}
cleanup() { down; rm -rf "$work"; }
trap cleanup EXIT

# up NAME [Key=Value...]: a fresh cluster in $work/NAME; its LV_CONF is
# exported and also kept in CONF_<NAME>.
up() {
	local name=$1
	shift
	cluster=$work/$name
	clusters="$clusters $cluster"
	eval "$("$top/contrib/local-cluster" up --nodes 2 --cpus 2 --dir "$cluster" \
		--extra "MaxJobCount=1000000 $*")" || exit 1
	printf -v "CONF_$name" '%s' "$LV_CONF"
}

submit_serial() {
	local i
	for ((i = 0; i < $1; i++)); do
		lvbatch -H -o /dev/null --wrap=true >/dev/null || echo "lvbatch failed" >&2
	done
}

# submit_parallel LOOPS EACH
submit_parallel() {
	local l
	for ((l = 0; l < $1; l++)); do
		submit_serial "$2" &
	done
	wait
}

# commits_line: the journal's statistics, as lvctld logs them when it stops.
journal_stats() {
	grep "journal: .* records in .* commits" "$cluster/lvctld.log" | tail -n 1 |
		sed 's/.*journal: //'
}

# serial_rate CONF N: N serial submissions to the cluster of CONF, in
# jobs/s.
serial_rate() {
	local t0 t1
	t0=$(now)
	LV_CONF=$1 submit_serial "$2"
	t1=$(now)
	rate "$2" "$t0" "$t1"
}

# parallel_rate CONF: P loops of M submissions, in jobs/s.
parallel_rate() {
	local t0 t1
	t0=$(now)
	LV_CONF=$1 submit_parallel "$P" "$M"
	t1=$(now)
	rate $((P * M)) "$t0" "$t1"
}

median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r)"
echo "# StateDir on $(df -T "$work" | awk 'NR==2{print $2" "$1}')"

# (1) submissions per second, durable and not.  Both clusters run side by
# side and the serial submissions alternate between them in R rounds
# (ABBA order), so that the machine's drift hits both alike; the figure
# is the median of the per-round ratios.
R=${R:-10}
up nosync JournalSync=no
up durable
ratios= ser_ns=0 ser_d=0
for ((r = 0; r < R; r++)); do
	if ((r % 2)); then
		d=$(serial_rate "$CONF_durable" $((N / R)))
		ns=$(serial_rate "$CONF_nosync" $((N / R)))
	else
		ns=$(serial_rate "$CONF_nosync" $((N / R)))
		d=$(serial_rate "$CONF_durable" $((N / R)))
	fi
	ratios="$ratios $(awk -v a="$d" -v b="$ns" 'BEGIN{print a/b}')"
	ser_ns=$(awk -v a="$ser_ns" -v b="$ns" 'BEGIN{print a+b}')
	ser_d=$(awk -v a="$ser_d" -v b="$d" 'BEGIN{print a+b}')
done
par_ns=$(parallel_rate "$CONF_nosync")
par_d=$(parallel_rate "$CONF_durable")
LV_CONF=$CONF_nosync lvcancel -u "$(id -un)" >/dev/null 2>&1
LV_CONF=$CONF_durable lvcancel -u "$(id -un)" >/dev/null 2>&1
fig "submit_serial_${N}_nosync_jobs_per_s" "$(awk -v s="$ser_ns" -v r="$R" 'BEGIN{printf "%.1f", s/r}')"
fig "submit_serial_${N}_durable_jobs_per_s" "$(awk -v s="$ser_d" -v r="$R" 'BEGIN{printf "%.1f", s/r}')"
fig "submit_serial_durable_vs_nosync_rounds" "\"$(for x in $ratios; do printf '%.0f%% ' "$(awk -v x="$x" 'BEGIN{print 100*x}')"; done)\""
fig "submit_serial_durable_vs_nosync_median" "$(echo "$ratios" | tr ' ' '\n' | grep . | median | awk '{printf "%.0f%%", 100*$1}')"
fig "submit_${P}x${M}_parallel_nosync_jobs_per_s" "$par_ns"
fig "submit_${P}x${M}_parallel_durable_jobs_per_s" "$par_d"
fig "submit_parallel_durable_vs_nosync" "$(pct "$par_d" "$par_ns")"
export LV_CONF=$CONF_durable
cluster=$work/durable

# (2) restart with NREC jobs in the state
t0=$(now)
submit_parallel "$P" $((NREC / P))
t1=$(now)
fig "submit_${NREC}_held_${P}_loops_jobs_per_s" "$(rate "$NREC" "$t0" "$t1")"
fig "jobs_in_state" "$(lvqueue -h -t PD | wc -l)"
fig "statedir_journal_mib" "$(du -sm "$cluster/ctld/journal" | cut -f1)"

# restart KILL|TERM: stops lvctld with that signal and starts it again;
# prints the milliseconds from exec to the first answered ping.
restart() {
	local pid t0 i
	pid=$(cat "$cluster/lvctld.pid")
	kill -"$1" "$pid"
	for ((i = 0; i < 6000; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
	t0=$(now)
	lvctld -f "$LV_CONF" || { echo "lvctld did not start" >&2; return 1; }
	until lvcontrol ping >/dev/null 2>&1; do sleep 0.005; done
	ms "$t0" "$(now)"
}

t_term=$(restart TERM)
fig "journal_stats_before_sigterm" "\"$(journal_stats)\""
fig "restart_after_sigterm_${NREC}_jobs_ms" "$t_term"
fig "recovery_log_after_sigterm" "\"$(grep 'journal: recovered' "$cluster/lvctld.log" | tail -n 1 | sed 's/.*journal: //')\""
fig "jobs_after_sigterm_restart" "$(lvqueue -h -t PD | wc -l)"
# 10,000 submissions after that snapshot, then SIGKILL: the restart
# reads the snapshot and replays them.
submit_parallel "$P" $((10000 / P))
t_kill=$(restart KILL)
fig "restart_after_sigkill_$((NREC + 10000))_jobs_ms" "$t_kill"
fig "recovery_log_after_sigkill" "\"$(grep 'journal: recovered' "$cluster/lvctld.log" | tail -n 1 | sed 's/.*journal: //')\""
fig "jobs_after_sigkill_restart" "$(lvqueue -h -t PD | wc -l)"
fig "lvctld_rss_mib" "$(awk '/^VmRSS/{printf "%.1f", $2/1024}' "/proc/$(cat "$cluster/lvctld.pid")/status")"
