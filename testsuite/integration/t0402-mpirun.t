#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='mpirun inside a batch job: the job'"'"'s nodes and slots without a hostfile, orteds started through lvd by lvrsh (no ssh)'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 &&
	test_set_prereq MPI

step_dirs() {
	ls -d "$CLUSTER"/nodes/*/lv.* 2>/dev/null
}

# What lvrsh leaves in /dev/shm (nothing once the orteds are gone).
lvrsh_dirs() {
	ls -d /dev/shm/lvrsh.* 2>/dev/null | sort
}

no_new_lvrsh_dirs() {
	lvrsh_dirs >shm-after &&
	test -z "$(comm -13 shm-before shm-after)"
}

test_expect_success MPI 'compile an MPI hello that names its node' '
	cat >hello.c <<-\EOF &&
	#include <mpi.h>
	#include <stdio.h>
	#include <stdlib.h>

	int main(int argc, char **argv)
	{
		const char *node = getenv("LV_NODENAME");
		int rank, size, sum = 0;

		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
		MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
		MPI_Barrier(MPI_COMM_WORLD);
		printf("rank %d of %d sum %d on %s\n", rank, size, sum,
		       node ? node : "?");
		MPI_Finalize();
		return 0;
	}
	EOF
	mpicc -o hello hello.c &&
	lvrsh_dirs >shm-before
'

test_expect_success MPI,MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2
'

test_expect_success MPI,MUNGE 'lvbatch -N 2 -n 4: mpirun -np 4 runs two ranks on each node' '
	cat >mpirun.sh <<-\EOF &&
	#!/bin/sh
	echo "hosts=$OMPI_MCA_orte_default_dash_host agent=$OMPI_MCA_plm_rsh_agent"
	mpirun --allow-run-as-root -np 4 ./hello
	echo "rc=$?"
	EOF
	id=$(lvbatch --parsable -N 2 -n 4 -o mpirun.out mpirun.sh) &&
	wait_state $id COMPLETED 60 &&
	test_grep -x "hosts=n1:2,n2:2 agent=lvrsh" mpirun.out &&
	test_grep -x "rc=0" mpirun.out &&
	grep "^rank" mpirun.out | sort >actual &&
	cat >expect <<-\EOF &&
	rank 0 of 4 sum 6 on n1
	rank 1 of 4 sum 6 on n1
	rank 2 of 4 sum 6 on n2
	rank 3 of 4 sum 6 on n2
	EOF
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'the orteds ran as steps of the job' '
	lvcontrol show job $id >show &&
	test_grep "Step $id\.[01] Name=sh NumTasks=1 NodeList=n1 " show &&
	test_grep "Step $id\.[01] Name=sh NumTasks=1 NodeList=n2 " show
'

test_expect_success MPI,MUNGE 'the same program through lvrun inside an lvbatch script' '
	cat >lvrun.sh <<-\EOF &&
	#!/bin/sh
	lvrun -n 4 ./hello
	echo "rc=$?"
	EOF
	id=$(lvbatch --parsable -N 2 -n 4 -o lvrun.out lvrun.sh) &&
	wait_state $id COMPLETED 60 &&
	test_grep -x "rc=0" lvrun.out &&
	grep "^rank" lvrun.out | sort >actual &&
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'slots follow -c: -n 2 -c 2 gives one slot a node' '
	cat >slots.sh <<-\EOF &&
	#!/bin/sh
	echo "hosts=$OMPI_MCA_orte_default_dash_host"
	EOF
	id=$(lvbatch --parsable -N 2 -n 2 -c 2 -o slots.out slots.sh) &&
	wait_state $id COMPLETED 30 &&
	test_grep -x "hosts=n1:1,n2:1" slots.out
'

test_expect_success MPI,MUNGE 'lvrun --relative starts a step at a later node of the job; out of range is refused' '
	cat >rel.sh <<-\EOF &&
	#!/bin/sh
	lvrun --mpi=none -r 1 -N 1 -n 1 sh -c "echo \$LV_NODENAME"
	lvrun --mpi=none --relative=2 -n 1 true
	echo "rc=$?"
	EOF
	id=$(lvbatch --parsable -N 2 -n 2 -o rel.out rel.sh) &&
	wait_state $id COMPLETED 30 &&
	test_grep -x "n2" rel.out &&
	test_grep "relative=2: the job has only 2 node(s)" rel.out &&
	test_grep -x "rc=1" rel.out
'

test_expect_success MPI,MUNGE 'lvrsh outside a job, or for a node the job does not hold, fails clearly' '
	{ env -u LV_JOB_ID lvrsh n1 true 2>err; test $? -eq 255; } &&
	test_grep "lvrsh: error: n1: not inside a Leviathan job" err &&
	{ LV_JOB_ID=1 LV_JOB_NODELIST="n[1-2]" lvrsh n7 true 2>err; test $? -eq 255; } &&
	test_grep "lvrsh: error: n7 is not a node of this job (n\[1-2\])" err
'

test_expect_success MPI,MUNGE 'nothing is left in /dev/shm or the nodes'"'"' state directories' '
	lv_wait_for no_new_lvrsh_dirs 10 &&
	test -z "$(step_dirs)"
'

test_done
