#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MPI launch and fence latency on a local cluster of 4 nodes (issue 7):
#   (a) lvrun (start to exit, its own allocation included) of an MPI hello
#       (MPI_Init, MPI_Allreduce, MPI_Barrier, MPI_Finalize): 4 ranks over
#       2 nodes, and 2, 8, 32, 64 ranks over 4 nodes (16 CPUs declared a
#       node: oversubscribed on a 2-core machine); the same as steps of an
#       existing allocation (lvalloc)
#   (b) the same programs with mpirun directly (one host), with Open MPI's
#       defaults and with pml ob1 (what lvrun's ranks use), and mpirun
#       inside an lvbatch job (orteds through lvrsh)
#   (c) PMIx fence latency over 2 and 4 lvd (a PMIx client timing 200
#       PMIx_Fence), and MPI_Barrier over 2 and 4 nodes
#   (d) with --slurm DIR (the anchor-slurm scripts): srun --mpi=pmix of the
#       same hello on Slurm's 4-node cluster, in the same run
# Usage: bench-mpi.sh [--slurm DIR]      REPS=5 by default (median)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
REPS=${REPS:-5}
SIZES=${SIZES:-"2 8 32 64"}
slurm_dir=""
[ "${1:-}" = "--slurm" ] && slurm_dir=$2
export PATH=$top/src/cmd:$top/src/sched:$top/src/node:$PATH

now() { echo "$EPOCHREALTIME"; }
fig() { printf 'FIGURE %-50s = %s\n' "$1" "$2"; }
median() { sort -g | awk '{a[NR]=$1} END{ if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b-a)*1000}'; }
# time_cmd REPS CMD...: median wall ms; "FAILED" when a run fails.
time_cmd() {
	local reps=$1 t0 bad=0
	shift
	"$@" >/dev/null 2>&1 || { echo FAILED; return; } # warm-up, and a check
	for _ in $(seq "$reps"); do
		t0=$(now)
		"$@" >/dev/null 2>&1 || bad=1
		ms "$t0" "$(now)"
		echo
	done | median
	[ $bad = 0 ] || echo "(some runs failed)"
}

work=$(mktemp -d /var/tmp/lv-bench-mpi.XXXXXX)
chmod 0755 "$work"
cleanup() { "$top/contrib/local-cluster" down --dir "$work/cluster" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1

cat >hello.c <<'EOF'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	int rank, size, sum = 0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Barrier(MPI_COMM_WORLD);
	printf("rank %d of %d sum %d\n", rank, size, sum);
	MPI_Finalize();
	return 0;
}
EOF
cat >barrier.c <<'EOF'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
/* Median of n MPI_Barrier, in us, printed by rank 0. */
static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, i, rank;
	double *t = calloc(n, sizeof(*t)), t0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Barrier(MPI_COMM_WORLD);
	for (i = 0; i < n; i++) {
		t0 = MPI_Wtime();
		MPI_Barrier(MPI_COMM_WORLD);
		t[i] = (MPI_Wtime() - t0) * 1e6;
	}
	qsort(t, n, sizeof(*t), cmp);
	if (rank == 0)
		printf("%.1f\n", t[n / 2]);
	MPI_Finalize();
	return 0;
}
EOF
cat >fence.c <<'EOF'
#include <pmix.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
/* Median and minimum of n PMIx_Fence (no data), in us, from rank 0. */
static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200, i;
	double *t = calloc(n, sizeof(*t));
	pmix_proc_t me, all;
	struct timespec a, b;

	if (PMIx_Init(&me, NULL, 0) != PMIX_SUCCESS)
		return 1;
	PMIX_LOAD_PROCID(&all, me.nspace, PMIX_RANK_WILDCARD);
	PMIx_Fence(&all, 1, NULL, 0);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (PMIx_Fence(&all, 1, NULL, 0) != PMIX_SUCCESS)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	}
	qsort(t, n, sizeof(*t), cmp);
	if (me.rank == 0)
		printf("%.1f %.1f\n", t[n / 2], t[0]);
	PMIx_Finalize(NULL, 0);
	return 0;
}
EOF
mpicc -O2 -o hello hello.c && mpicc -O2 -o barrier barrier.c &&
	cc -O2 -o fence fence.c $(pkg-config --cflags --libs pmix) || {
	echo "# cannot compile the MPI programs"
	exit 1
}

echo "# $(date -Is) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg) $(uname -r)"
echo "# $(mpirun --version 2>&1 | head -1); PMIx $(pkg-config --modversion pmix)"
echo "# shared machine: other sessions may run at the same time; compare only figures of one run"
# 16 CPUs a node: each lvd pretends to have 16 cores (Topology=), so that
# 64 ranks fit the allocation; four lvd processes, so fences cross lvds.
up=$("$top/contrib/local-cluster" up --nodes 4 --cpus 16 --dir "$work/cluster" \
	--node-extra 'Topology="pack:1 core:16 pu:1"') && [ -n "$up" ] || exit 1
eval "$up"

# (a) lvrun, allocation included, and as steps of one allocation
fig "lvrun_-N2_-n4_hello_ms" "$(time_cmd "$REPS" lvrun -N 2 -n 4 ./hello)"
nodes_for() { echo $(($1 < 4 ? $1 : 4)); } # 2 ranks: 2 of the 4 nodes
for n in $SIZES; do
	fig "lvrun_-N$(nodes_for $n)_-n${n}_hello_ms" "$(time_cmd "$REPS" lvrun -N "$(nodes_for $n)" -n "$n" ./hello)"
done
for n in 2 4 8; do
	fig "lvrun_-N1_-n${n}_hello_ms" "$(time_cmd "$REPS" lvrun -N 1 -n "$n" ./hello)"
done
fig "lvrun_-N2_-n4_true_no_mpi_ms" "$(time_cmd "$REPS" lvrun --mpi=none -N 2 -n 4 true)"
steps=$(lvalloc -Q -N 4 -n 64 bash -c "
	t() { local t0=\$EPOCHREALTIME; lvrun \"\$@\" >/dev/null 2>&1; awk -v a=\$t0 -v b=\$EPOCHREALTIME 'BEGIN{printf \"%.1f\n\",(b-a)*1000}'; }
	med() { sort -g | awk '{a[NR]=\$1} END{ if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
	lvrun -N 2 -n 4 ./hello >/dev/null 2>&1
	echo \"step_-N2_-n4 \$(for i in \$(seq $REPS); do t -N 2 -n 4 ./hello; done | med)\"
	for n in $SIZES; do
		nn=\$((n < 4 ? n : 4))
		echo \"step_-N\${nn}_-n\$n \$(for i in \$(seq $REPS); do t -N \$nn -n \$n ./hello; done | med)\"
	done" 2>/dev/null)
while read -r name val; do
	fig "lvrun_${name}_hello_in_lvalloc_ms" "$val"
done <<<"$steps"

# (c) fences and barriers
for nn in 2 4; do
	read -r med min <<<"$(lvrun -N $nn -n $nn ./fence 200 2>/dev/null)"
	fig "pmix_fence_${nn}_lvd_us_median" "${med:-FAILED}"
	fig "pmix_fence_${nn}_lvd_us_min" "${min:-FAILED}"
	fig "mpi_barrier_${nn}_nodes_us_median" "$(lvrun -N $nn -n $nn ./barrier 200 2>/dev/null || echo FAILED)"
done

# (b) mpirun: directly on this host, and inside a batch job
mpirun_t() { time_cmd "$REPS" mpirun --allow-run-as-root --oversubscribe "$@"; }
fig "mpirun_-np4_hello_ms" "$(mpirun_t -np 4 ./hello)"
fig "mpirun_-np4_pml_ob1_hello_ms" "$(mpirun_t --mca pml ob1 -np 4 ./hello)"
for n in $SIZES; do
	fig "mpirun_-np${n}_hello_ms" "$(mpirun_t -np "$n" ./hello)"
	fig "mpirun_-np${n}_pml_ob1_hello_ms" "$(mpirun_t --mca pml ob1 -np "$n" ./hello)"
done
cat >inbatch.sh <<EOF
#!/bin/bash
t() { local t0=\$EPOCHREALTIME; "\$@" >/dev/null 2>&1; awk -v a=\$t0 -v b=\$EPOCHREALTIME 'BEGIN{printf "%.1f\n",(b-a)*1000}'; }
med() { sort -g | awk '{a[NR]=\$1} END{ if(NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
mpirun --allow-run-as-root -np 4 ./hello >/dev/null 2>&1 || echo "mpirun_in_lvbatch_-N2_-np4 FAILED"
echo "mpirun_in_lvbatch_-N2_-np4 \$(for i in \$(seq $REPS); do t mpirun --allow-run-as-root --mca pml ob1 -np 4 ./hello; done | med)"
echo "lvrun_in_lvbatch_-N2_-n4 \$(for i in \$(seq $REPS); do t lvrun -n 4 ./hello; done | med)"
EOF
lvbatch -W -N 2 -n 4 -o inbatch.out inbatch.sh >/dev/null 2>&1
while read -r name val; do
	fig "${name}_hello_ms" "$val"
done <inbatch.out

# (d) Slurm, same machine, same run
if [ -n "$slurm_dir" ]; then
	"$top/contrib/local-cluster" down --dir "$work/cluster" >/dev/null 2>&1
	if bash "$slurm_dir/setup.sh" >"$work/slurm-setup.log" 2>&1; then
		echo "# srun --mpi=list: $(srun --mpi=list 2>&1 | tr '\n\t' '  ')"
		# Slurm's nodes share this host: vader segments of two nodes
		# would collide, so its ranks use TCP between all ranks.
		export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,tcp
		srun_t() { time_cmd "$REPS" timeout 120 srun --mpi=pmix "$@"; }
		# Slurm 22.05's pmix plugin makes /tmp/spmix_appdir_<uid>_<job>.<step>
		# on every node: slurmd of one host collide ("File exists"), so
		# a step over several of its nodes fails here; one node works.
		fig "srun_--mpi=pmix_-N2_-n4_hello_ms" "$(srun_t -N 2 -n 4 ./hello)"
		fig "srun_--mpi=pmix_-N4_-n8_hello_ms" "$(srun_t -N 4 -n 8 ./hello)"
		grep -h "spmix_appdir.*File exists" /var/log/slurm/slurmd-n*.log 2>/dev/null |
			tail -1 | sed 's/^/# slurmd: /'
		for n in 2 4 $SIZES; do
			fig "srun_--mpi=pmix_-N1_-n${n}_-O_hello_ms" "$(srun_t -O -N 1 -n "$n" ./hello)"
		done
		bash "$slurm_dir/stop.sh" >/dev/null 2>&1
	else
		echo "# slurm setup failed: $(tail -3 "$work/slurm-setup.log" | tr '\n' ' ')"
	fi
fi
