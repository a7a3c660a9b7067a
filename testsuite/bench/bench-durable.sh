#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What durability costs lvctld, on a local cluster of 2 nodes x 2 CPUs:
#   (1) held submissions per second, serial `lvbatch -H` and P parallel
#       submit loops (group commit), with the journal synced (durable)
#       and with the hidden JournalSync=no (written, never fdatasync'd);
#   (2) restart time with NREC held jobs in the state: from exec of lvctld
#       to the first answered ping, after SIGTERM (one snapshot to read)
#       and after SIGKILL (snapshot plus the records written since).
# Usage: bench-durable.sh   (env: N serial submissions, P loops of M
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
cluster=
down() { [ -n "$cluster" ] && "$top/contrib/local-cluster" down --dir "$cluster" >/dev/null 2>&1; cluster=; }
cleanup() { down; rm -rf "$work"; }
trap cleanup EXIT

# up NAME [Key=Value...]: a fresh cluster in $work/NAME.
up() {
	local name=$1
	shift
	cluster=$work/$name
	eval "$("$top/contrib/local-cluster" up --nodes 2 --cpus 2 --dir "$cluster" \
		--extra "MaxJobCount=1000000 $*")" || exit 1
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

# One submission-rate run; sets SER and PAR.
submit_run() {
	local t0 t1
	t0=$(now); submit_serial "$N"; t1=$(now)
	SER=$(rate "$N" "$t0" "$t1")
	lvcancel -u "$(id -un)" >/dev/null 2>&1
	t0=$(now); submit_parallel "$P" "$M"; t1=$(now)
	PAR=$(rate $((P * M)) "$t0" "$t1")
	lvcancel -u "$(id -un)" >/dev/null 2>&1
}

echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r)"
echo "# StateDir on $(df -T "$work" | awk 'NR==2{print $2" "$1}')"

# (1) submissions per second, durable and not
up nosync JournalSync=no
submit_run
NS_SER=$SER NS_PAR=$PAR
down
up durable
submit_run
fig "submit_serial_${N}_nosync_jobs_per_s" "$NS_SER"
fig "submit_serial_${N}_durable_jobs_per_s" "$SER"
fig "submit_serial_durable_vs_nosync" "$(pct "$SER" "$NS_SER")"
fig "submit_${P}x${M}_parallel_nosync_jobs_per_s" "$NS_PAR"
fig "submit_${P}x${M}_parallel_durable_jobs_per_s" "$PAR"
fig "submit_parallel_durable_vs_nosync" "$(pct "$PAR" "$NS_PAR")"

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
