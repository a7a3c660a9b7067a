#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvrun --mpi=pmix: Open MPI ranks launched by lvd'"'"'s PMIx server, on one node and across nodes'

. "$(dirname "$0")/sharness.sh"

command -v mpicc >/dev/null 2>&1 && test_set_prereq MPI
test_have_prereq ROOT,SETPRIV && getent passwd 65534 >/dev/null &&
	test_set_prereq NOBODY

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# vader segments in /dev/shm, sorted (other programs may have their own).
shm_segments() {
	ls /dev/shm 2>/dev/null | grep '^vader_segment\.' | sort
}

# lvd's per-step directories: lv.<job>.<step> under each node's state dir.
step_dirs() {
	ls -d "$CLUSTER"/nodes/*/lv.* 2>/dev/null
}

no_step_dirs() {
	test -z "$(step_dirs)"
}

test_expect_success MPI 'compile an MPI hello with MPI_Allreduce and MPI_Barrier' '
	cat >hello.c <<-\EOF &&
	#include <mpi.h>
	#include <stdio.h>
	#include <stdlib.h>

	int main(int argc, char **argv)
	{
		int rank, size, sum = 0;

		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
		if (argc > 1 && atoi(argv[1]) == rank)
			MPI_Abort(MPI_COMM_WORLD, 7);
		MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
		MPI_Barrier(MPI_COMM_WORLD);
		printf("rank %d of %d sum %d\n", rank, size, sum);
		MPI_Finalize();
		return 0;
	}
	EOF
	mpicc -o hello hello.c &&
	shm_segments >shm-before
'

test_expect_success MPI,MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2
'

test_expect_success MPI,MUNGE 'each lvd runs a PMIx server' '
	for n in 1 2 3 4; do
		test_grep "mpi: PMIx .* server in " "$CLUSTER/nodes/n$n/lvd.log" || return 1
	done
'

test_expect_success MPI,MUNGE '-N 2 -n 4: four ranks on two nodes (two lvd) agree on size and sum' '
	lvrun --mpi=pmix -N 2 -n 4 ./hello >out 2>err &&
	sort out >actual &&
	cat >expect <<-\EOF &&
	rank 0 of 4 sum 6
	rank 1 of 4 sum 6
	rank 2 of 4 sum 6
	rank 3 of 4 sum 6
	EOF
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'one node: -n 2' '
	lvrun --mpi=pmix -N 1 -n 2 ./hello >out &&
	sort out >actual &&
	printf "rank %d of 2 sum 1\n" 0 1 >expect &&
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'the ranks get the direct-launch hint, their own vader directory and ob1' '
	lvrun --mpi=pmix -N 2 -n 4 -l sh -c "echo \$FLUX_JOB_ID \$OMPI_MCA_pml \$LV_NODENAME \${OMPI_MCA_btl_vader_backing_directory##*/} \${PMIX_NAMESPACE} \${PMIX_RANK}" >out &&
	sort out >actual &&
	job=$(sed -n "1s/^0: \([0-9]*\)\.\([0-9]*\) .*/\1/p" actual) &&
	step=$(sed -n "1s/^0: \([0-9]*\)\.\([0-9]*\) .*/\2/p" actual) &&
	test -n "$job" &&
	ns=lv.$job.$step &&
	cat >expect <<-EOF &&
	0: $job.$step ob1 n1 $ns $ns 0
	1: $job.$step ob1 n1 $ns $ns 1
	2: $job.$step ob1 n2 $ns $ns 2
	3: $job.$step ob1 n2 $ns $ns 3
	EOF
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'a pml the user chose is kept' '
	OMPI_MCA_pml=cm lvrun --mpi=pmix -n 1 sh -c "echo \$OMPI_MCA_pml" >out &&
	echo cm >expect &&
	test_cmp expect out
'

test_expect_success MPI,MUNGE '--mpi=none (or LV_MPI_TYPE=none): no PMIx server is involved' '
	lvrun --mpi=none -n 1 sh -c "echo \${PMIX_NAMESPACE:-none} \${FLUX_JOB_ID:-none}" >out &&
	LV_MPI_TYPE=none lvrun -n 1 sh -c "echo \${PMIX_NAMESPACE:-none} \${FLUX_JOB_ID:-none}" >>out &&
	printf "none none\nnone none\n" >expect &&
	test_cmp expect out
'

test_expect_success MPI,MUNGE 'pmix is the default: lvrun -N 2 -n 4 ./hello without --mpi' '
	lvrun -N 2 -n 4 ./hello >out &&
	sort out >actual &&
	printf "rank %d of 4 sum 6\n" 0 1 2 3 >expect &&
	test_cmp expect actual
'

test_expect_success MPI,MUNGE '--mpi=list names the types' '
	lvrun --mpi=list >out &&
	printf "MPI plugin types are...\n\tnone\n\tpmix\n" >expect &&
	test_cmp expect out
'

test_expect_success MPI,MUNGE '--mpi=pmi2 (MPICH) is refused with a clear error, and nothing runs' '
	{ lvrun --mpi=pmi2 -n 1 touch ran 2>err; test $? -eq 1; } &&
	test_grep "MPICH.s PMI-1/PMI-2 is not supported" err &&
	test_grep "with --mpi=pmix" err &&
	test_path_is_missing ran &&
	{ lvrun --mpi=bogus -n 1 true 2>err; test $? -eq 1; } &&
	test_grep "invalid --mpi type .bogus." err
'

test_expect_success MPI,MUNGE,NOBODY 'ranks of another user than lvd'"'"'s: no PMIx error' '
	mkdir -p pub && chmod 0777 pub && cp hello pub/ &&
	(cd pub && as_nobody lvrun --mpi=pmix -N 2 -n 4 ./hello) >out 2>err &&
	test $(wc -l <out) -eq 4 &&
	test_grep ! "PMIX ERROR" err
'

test_expect_success MPI,MUNGE 'MPI_Abort(MPI_COMM_WORLD, 7) on one node: lvrun exits 7' '
	lvrun --mpi=pmix -N 1 -n 2 ./hello 1 >out 2>err
	rc=$? &&
	test $rc -eq 7 &&
	test_grep "MPI_ABORT was invoked on rank 1" err &&
	test_grep "mpi: job=[0-9]* step=[0-9]*: MPI abort, status 7" "$CLUSTER/nodes/n1/lvd.log"
'

test_expect_success MPI,MUNGE 'MPI_Abort on the second node ends the ranks of the first: lvrun exits 7' '
	lvrun --mpi=pmix -N 2 -n 4 ./hello 3 >out 2>err
	rc=$? &&
	test $rc -eq 7 &&
	test_grep "n1: tasks 0-1: Exited with exit code 7" err &&
	test_grep "n2: tasks 2-3: Exited with exit code 7" err
'

test_expect_success MPI,MUNGE 'no step directory is left behind' '
	lv_wait_for no_step_dirs 10
'

test_expect_success MPI,MUNGE 'no vader segment is left in /dev/shm' '
	shm_segments >shm-after &&
	comm -13 shm-before shm-after >new-segments &&
	test_must_be_empty new-segments
'

test_expect_success MPI,MUNGE 'simulated nodes: one lvd serves n[1-4] with one PMIx server' '
	LV_CLUSTER_DIR=$TRASH/sim lv_cluster_up 4 --sim "pack:1 core:2 pu:1"
'

test_expect_success MPI,MUNGE 'simulated nodes: -N 4 -n 8 (ranks of four nodes share one host and server)' '
	lvrun --mpi=pmix -N 4 -n 8 ./hello >out &&
	sort out >actual &&
	for r in 0 1 2 3 4 5 6 7; do
		echo "rank $r of 8 sum 28" || return 1
	done >expect &&
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'simulated nodes: MPI_Abort ends every node'"'"'s ranks with its code' '
	lvrun --mpi=pmix -N 2 -n 4 ./hello 2 >out 2>err
	rc=$? &&
	test $rc -eq 7 &&
	test_grep "n1: tasks 0-1: Exited with exit code 7" err
'

test_expect_success MPI,MUNGE 'simulated nodes: no step directory or vader segment is left behind' '
	lv_wait_for no_step_dirs 10 &&
	shm_segments >shm-after &&
	comm -13 shm-before shm-after >new-segments &&
	test_must_be_empty new-segments
'

test_done
