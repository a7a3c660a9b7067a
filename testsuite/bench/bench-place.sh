#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Placement on a simulated cluster of mixed topologies: the same fixed-seed
# workload (gen-place.py) runs once in a SelectType=pack partition and once
# in a SelectType=spread one, over the same nodes, one after the other.
# Prints FIGURE lines per policy: core utilisation over the run (PU-seconds
# granted / (PUs x makespan); busy: PU-seconds of the sleeps asked for /
# (PUs x makespan)), makespan (release of the held jobs to the
# last end), mean and median wait (release to start); times have the
# accounting's 1-second resolution.
#
#   NODES=1000 JOBS=20000 SCALE=1 SEED=20261128 bench-place.sh
#
# Nodes: 40% "pack:2 core:8 pu:2", 30% "pack:2 core:12 pu:1",
# 20% "pack:1 core:8 pu:2", 10% "pack:4 core:8 pu:2", four lvd processes.
# Jobs are `exec sleep S` batch scripts: they really run on this host.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
NODES=${NODES:-1000}
JOBS=${JOBS:-20000}
SCALE=${SCALE:-1}
SEED=${SEED:-20261128}
SUBMITTERS=${SUBMITTERS:-2}
POLICIES=${POLICIES:-"pack spread"}

export PATH=$top/src/cmd:$top/src/sched:$top/src/node:$PATH
fig() { printf 'FIGURE %-40s = %s\n' "$1" "$2"; }
die() { echo "bench-place: $*" >&2; exit 1; }

work=$(mktemp -d /var/tmp/lv-place.XXXXXX)
chmod 0755 "$work"
pids=()
cleanup() {
	local f p
	# Jobs first (their supervisors outlive lvd), then the daemons.
	for f in "$work"/nodes/*/job.*/pids; do
		[ -e "$f" ] || continue
		read -r sup pgid _ <"$f" 2>/dev/null || continue
		[[ $pgid =~ ^[0-9]+$ ]] && kill -KILL -- "-$pgid" 2>/dev/null
		[[ $sup =~ ^[0-9]+$ ]] && kill -KILL "$sup" 2>/dev/null
	done
	for f in "$work"/nodes/*/lvd.pid "$work/lvctld.pid" "$work/munge/munged.pid"; do
		[ -e "$f" ] && p=$(cat "$f") && [[ $p =~ ^[0-9]+$ ]] && kill -TERM "$p" 2>/dev/null
	done
	sleep 1
	[ -n "${KEEP:-}" ] && echo "# kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# ---- cluster ----
# Five consecutive free ports on loopback: lvctld's and the four lvds'.
port=$(python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    try:
        ss = []
        for k in range(5):
            s = socket.socket(); s.bind(("127.0.0.1", p + k)); ss.append(s)
        print(p); break
    except OSError:
        pass
') || die "no free ports"
g1=$((NODES * 4 / 10)); g2=$((NODES * 3 / 10)); g3=$((NODES * 2 / 10))
g4=$((NODES - g1 - g2 - g3))
groups=("1 $g1 pack:2 core:8 pu:2" "$((g1 + 1)) $((g1 + g2)) pack:2 core:12 pu:1"
	"$((g1 + g2 + 1)) $((g1 + g2 + g3)) pack:1 core:8 pu:2"
	"$((g1 + g2 + g3 + 1)) $NODES pack:4 core:8 pu:2")
mkdir -p "$work/munge" "$work/ctld" "$work/nodes"
chmod 0755 "$work/munge"
mungekey -c -f -k "$work/munge/munge.key" >/dev/null 2>&1 || die "mungekey failed"
chmod 0600 "$work/munge/munge.key"
munged --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
	--seed-file="$work/munge/munged.seed" || die "munged did not start"
conf=$work/leviathan.conf
{
	echo "ClusterName=place"
	echo "ControllerHost=localhost"
	echo "ControllerAddr=127.0.0.1"
	echo "ControllerPort=$port"
	echo "StateDir=$work/ctld"
	echo "LogFile=$work/lvctld.log"
	echo "PidFile=$work/lvctld.pid"
	echo "NodeStateDir=$work/nodes/%n"
	echo "NodeLogFile=$work/nodes/%n/lvd.log"
	echo "NodePidFile=$work/nodes/%n/lvd.pid"
	echo "MungeSocket=$work/munge/munge.sock"
	echo "HeartbeatInterval=10"
	echo "NodeTimeout=120"
	echo "MessageTimeout=30"
	echo "MaxJobCount=200000"
	k=1
	for g in "${groups[@]}"; do
		set -- $g
		echo "NodeName=n[$1-$2] NodeAddr=127.0.0.1 Port=$((port + k)) Topology=\"$3 $4 $5\""
		k=$((k + 1))
	done
	echo "PartitionName=pack Nodes=n[1-$NODES] Default=YES MaxTime=UNLIMITED State=UP SelectType=pack"
	echo "PartitionName=spread Nodes=n[1-$NODES] MaxTime=UNLIMITED State=UP SelectType=spread"
} >"$conf"
export LV_CONF=$conf
lvctld -f "$conf" || die "lvctld did not start"
k=1
for g in "${groups[@]}"; do
	set -- $g
	lvd -f "$conf" -N "n[$1-$2]" -L "$work/lvd-$k.log" || die "lvd n[$1-$2] did not start"
	k=$((k + 1))
done
for _ in $(seq 600); do
	up=$(lvinfo -N -h -t idle 2>/dev/null | wc -l)
	[ "$up" -ge "$NODES" ] && break
	sleep 0.5
done
[ "$up" -ge "$NODES" ] || die "only $up of $NODES nodes came up"
pus=$((g1 * 32 + g2 * 24 + g3 * 16 + g4 * 64))

echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r)"
echo "# nodes=$NODES pus=$pus jobs=$JOBS scale=$SCALE seed=$SEED"
"$here/gen-place.py" --jobs "$JOBS" --seed "$SEED" --scale "$SCALE" >"$work/workload"
fig workload_mean_sleep_s "$(awk -F'|' '{s += $2} END {printf "%.1f", s / NR}' "$work/workload")"

# run POLICY: submits the workload held, releases it at once, waits for
# every job's end, prints the figures.
run() {
	local part=$1 t0 n ids
	ids=$work/ids-$part
	: >"$ids"
	# Submitters in parallel, each every SUBMITTERS-th line.
	for s in $(seq 0 $((SUBMITTERS - 1))); do
		awk -v s="$s" -v m="$SUBMITTERS" 'NR % m == s' "$work/workload" |
		while IFS='|' read -r opts secs; do
			# shellcheck disable=SC2086
			lvbatch -H --parsable -p "$part" -o /dev/null -t 10 -J "s$secs" $opts \
				--wrap "exec sleep $secs" || echo "submit failed: $opts" >&2
		done >"$ids.$s" &
	done
	wait
	cat "$ids".* >"$ids"
	n=$(wc -l <"$ids")
	[ "$n" -eq "$JOBS" ] || echo "# $part: only $n of $JOBS submitted" >&2
	sort -n "$ids" -o "$ids"
	t0=$(date +%s)
	# Release in chunks: one request each.
	xargs -n 2000 <"$ids" | tr ' ' ',' | while read -r chunk; do
		lvcontrol release "$chunk" || echo "release failed" >&2
	done
	for _ in $(seq 36000); do
		[ -z "$(lvqueue -h -p "$part" -o %i | head -n 1)" ] && break
		sleep 1
	done
	lvacct -X -n -P -S "$(date -d "@$((t0 - 60))" +%Y-%m-%dT%H:%M:%S)" -o JobID,Partition,Start,End,AllocCPUS,State,JobName \
		>"$work/acct-$part"
	python3 - "$work/acct-$part" "$ids" "$t0" "$pus" "$part" <<'PY'
import sys, time, statistics
acct, idfile, t0, pus, part = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
want = set(l.strip() for l in open(idfile) if l.strip())
def ts(s):
    return time.mktime(time.strptime(s, "%Y-%m-%dT%H:%M:%S"))
rows = []
for line in open(acct):
    f = line.rstrip("\n").split("|")
    if len(f) < 6 or f[0] not in want or f[2] in ("", "Unknown", "None"):
        continue
    rows.append((ts(f[2]), ts(f[3]), int(f[4] or 0), f[5],
                 float(f[6][1:]) if len(f) > 6 and f[6][:1] == "s" else 0.0))
if not rows:
    print("# %s: no accounting rows" % part)
    sys.exit(0)
end = max(r[1] for r in rows)
span = max(end - t0, 1)
used = sum(r[2] * (r[1] - r[0]) for r in rows)
slept = sum(r[2] * r[4] for r in rows)  # the work asked for (job name sSECS)
waits = [max(r[0] - t0, 0) for r in rows]
ok = sum(1 for r in rows if r[3] == "COMPLETED")
def fig(k, v):
    print("FIGURE %-40s = %s" % (k, v))
fig("place_%s_jobs_completed" % part, "%d/%d" % (ok, len(want)))
fig("place_%s_core_utilisation_pct" % part, "%.1f" % (100.0 * used / (pus * span)))
fig("place_%s_busy_utilisation_pct" % part, "%.1f" % (100.0 * slept / (pus * span)))
fig("place_%s_makespan_s" % part, "%d" % span)
fig("place_%s_pu_seconds_granted" % part, "%d" % used)
# Start to end as accounted, against the sleeps asked for: the rest is
# launch and end-report latency (one lvd serves hundreds of nodes).
fig("place_%s_mean_elapsed_s" % part, "%.1f" % statistics.mean(r[1] - r[0] for r in rows))
fig("place_%s_mean_wait_s" % part, "%.1f" % statistics.mean(waits))
fig("place_%s_median_wait_s" % part, "%.1f" % statistics.median(waits))
PY
}

for p in $POLICIES; do
	run "$p"
done
