#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvd'"'"'s PMIx server across nodes: direct modex, publish/lookup, job control, ranks that die, fence timeouts'

. "$(dirname "$0")/sharness.sh"

command -v mpicc >/dev/null 2>&1 && pkg-config --exists pmix &&
	test_set_prereq MPI

step_dirs() {
	ls -d "$CLUSTER"/nodes/*/lv.* 2>/dev/null
}

no_step_dirs() {
	test -z "$(step_dirs)"
}

test_expect_success MPI 'compile a PMIx client and MPI programs' '
	cat >pmixcli.c <<-\EOF &&
	#include <pmix.h>
	#include <signal.h>
	#include <stdio.h>
	#include <stdlib.h>
	#include <string.h>
	#include <unistd.h>
	
	/* pmixcli MODE: a PMIx client for the server of lvd (t0401). */
	int main(int argc, char **argv)
	{
		const char *mode = argc > 1 ? argv[1] : "";
		pmix_proc_t me, peer;
		pmix_value_t val, *got = NULL;
		pmix_info_t info;
		pmix_status_t rc;
		uint32_t size;
		pmix_value_t *v = NULL;
	
		if ((rc = PMIx_Init(&me, NULL, 0)) != PMIX_SUCCESS) {
			fprintf(stderr, "PMIx_Init: %s\n", PMIx_Error_string(rc));
			return 1;
		}
		PMIX_LOAD_PROCID(&peer, me.nspace, PMIX_RANK_WILDCARD);
		if (PMIx_Get(&peer, PMIX_JOB_SIZE, NULL, 0, &v) != PMIX_SUCCESS)
			return 1;
		size = v->data.uint32;
		if (!strcmp(mode, "dmodex")) {
			/* No fence: the Get of the last rank goes to the lvd of rank 0. */
			if (me.rank == 0) {
				char s[64];
	
				snprintf(s, sizeof(s), "hello from rank 0 of %u", size);
				PMIX_VALUE_LOAD(&val, s, PMIX_STRING);
				if (PMIx_Put(PMIX_GLOBAL, "lv.test", &val) != PMIX_SUCCESS ||
				    PMIx_Commit() != PMIX_SUCCESS)
					return 2;
			}
			if (me.rank == size - 1) {
				PMIX_LOAD_PROCID(&peer, me.nspace, 0);
				if ((rc = PMIx_Get(&peer, "lv.test", NULL, 0, &got)) != PMIX_SUCCESS) {
					fprintf(stderr, "PMIx_Get: %s\n", PMIx_Error_string(rc));
					return 3;
				}
				printf("rank %u got: %s\n", me.rank, got->data.string);
			}
			/* The lvd of rank 0 serves its data only while the step runs there. */
			PMIX_LOAD_PROCID(&peer, me.nspace, PMIX_RANK_WILDCARD);
			if (PMIx_Fence(&peer, 1, NULL, 0) != PMIX_SUCCESS)
				return 4;
		} else if (!strcmp(mode, "killall") || !strcmp(mode, "killlast") ||
			   !strcmp(mode, "crash")) {
			PMIX_LOAD_PROCID(&peer, me.nspace, PMIX_RANK_WILDCARD);
			if (PMIx_Fence(&peer, 1, NULL, 0) != PMIX_SUCCESS)
				return 4;
			if (!strcmp(mode, "crash") && me.rank == size - 1)
				raise(SIGSEGV);
			if (strcmp(mode, "crash") && me.rank == 0) {
				bool t = true;
				pmix_info_t *res = NULL;
				size_t nres = 0;
	
				if (!strcmp(mode, "killlast"))
					peer.rank = size - 1;
				PMIX_INFO_LOAD(&info, PMIX_JOB_CTRL_KILL, &t, PMIX_BOOL);
				rc = PMIx_Job_control(&peer, 1, &info, 1, &res, &nres);
				printf("rank 0: job control: %s\n", PMIx_Error_string(rc));
				fflush(stdout);
			}
			if (me.rank == size - 1 || !strcmp(mode, "killall") ||
			    !strcmp(mode, "crash"))
				sleep(120);
		} else if (!strcmp(mode, "lookupwait")) {
			/* The last rank asks before rank 0 publishes, and waits. */
			if (me.rank == 0) {
				sleep(1);
				PMIX_INFO_LOAD(&info, "lv.late", "published late", PMIX_STRING);
				if ((rc = PMIx_Publish(&info, 1)) != PMIX_SUCCESS) {
					fprintf(stderr, "PMIx_Publish: %s\n", PMIx_Error_string(rc));
					return 5;
				}
			}
			if (me.rank == size - 1) {
				pmix_pdata_t pd;
				int all = 0;
	
				PMIX_PDATA_CONSTRUCT(&pd);
				PMIX_LOAD_KEY(pd.key, "lv.late");
				PMIX_INFO_LOAD(&info, PMIX_WAIT, &all, PMIX_INT);
				if ((rc = PMIx_Lookup(&pd, 1, &info, 1)) != PMIX_SUCCESS) {
					fprintf(stderr, "PMIx_Lookup: %s\n", PMIx_Error_string(rc));
					return 6;
				}
				printf("rank %u found: %s (from rank %u)\n", me.rank,
				       pd.value.data.string, pd.proc.rank);
			}
			PMIX_LOAD_PROCID(&peer, me.nspace, PMIX_RANK_WILDCARD);
			if (PMIx_Fence(&peer, 1, NULL, 0) != PMIX_SUCCESS)
				return 4;
		} else if (!strcmp(mode, "stall")) {
			if (me.rank == size - 1)
				sleep(120);
			PMIX_LOAD_PROCID(&peer, me.nspace, PMIX_RANK_WILDCARD);
			rc = PMIx_Fence(&peer, 1, NULL, 0);
			printf("rank %u: fence: %s\n", me.rank, PMIx_Error_string(rc));
			fflush(stdout);
			sleep(120);
		}
		PMIx_Finalize(NULL, 0);
		return 0;
	}
	EOF
	cat >pubsub.c <<-\EOF &&
	#include <mpi.h>
	#include <stdio.h>
	#include <string.h>
	
	/* Rank 0 publishes a name, the last rank looks it up (another node),
	 * rank 0 unpublishes it, the lookup of the last rank then fails. */
	int main(int argc, char **argv)
	{
		char port[MPI_MAX_PORT_NAME] = "";
		int rank, size, rc;
	
		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
		MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
		if (rank == 0) {
			rc = MPI_Publish_name("lv-service", MPI_INFO_NULL, "port-of-rank-0");
			printf("rank 0 published: %s\n", rc == MPI_SUCCESS ? "ok" : "failed");
			fflush(stdout);
		}
		MPI_Barrier(MPI_COMM_WORLD);
		if (rank == size - 1) {
			rc = MPI_Lookup_name("lv-service", MPI_INFO_NULL, port);
			printf("rank %d looked up: %s\n", rank, rc == MPI_SUCCESS ? port : "nothing");
			fflush(stdout);
		}
		MPI_Barrier(MPI_COMM_WORLD);
		if (rank == 0) {
			rc = MPI_Unpublish_name("lv-service", MPI_INFO_NULL, "port-of-rank-0");
			printf("rank 0 unpublished: %s\n", rc == MPI_SUCCESS ? "ok" : "failed");
			fflush(stdout);
		}
		MPI_Barrier(MPI_COMM_WORLD);
		if (rank == size - 1) {
			rc = MPI_Lookup_name("lv-service", MPI_INFO_NULL, port);
			printf("rank %d looked up again: %s\n", rank, rc == MPI_SUCCESS ? port : "nothing");
		}
		MPI_Finalize();
		return 0;
	}
	EOF
	cat >crash.c <<-\EOF &&
	#include <mpi.h>
	#include <signal.h>
	#include <stdio.h>

	/* The last rank dies after MPI_Init; the others wait for it. */
	int main(int argc, char **argv)
	{
		int rank, size;

		MPI_Init(&argc, &argv);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
		if (rank == size - 1)
			raise(SIGSEGV);
		MPI_Barrier(MPI_COMM_WORLD);
		MPI_Finalize();
		return 0;
	}
	EOF
	cat >hello.c <<-\EOF &&
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
	cc -o pmixcli pmixcli.c $(pkg-config --cflags --libs pmix) &&
	mpicc -o pubsub pubsub.c &&
	mpicc -o crash crash.c &&
	mpicc -o hello hello.c
'

test_expect_success MPI,MUNGE 'start a 4-node cluster, MpiFenceTimeout=3' '
	lv_cluster_up 4 --cpus 2 --extra MpiFenceTimeout=3
'

test_expect_success MPI,MUNGE 'direct modex: a rank gets a key of a rank on another node without a fence' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli dmodex >out 2>err &&
	echo "rank 3 got: hello from rank 0 of 4" >expect &&
	test_cmp expect out
'

test_expect_success MPI,MUNGE 'Open MPI with async modex and no data in the fence (peers fetched on demand)' '
	OMPI_MCA_pmix_base_async_modex=1 OMPI_MCA_pmix_base_collect_data=0 \
		timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./hello >out &&
	sort out >actual &&
	printf "rank %d of 4 sum 6\n" 0 1 2 3 >expect &&
	test_cmp expect actual
'

test_expect_success MPI,MUNGE 'MPI_Publish_name on one node, MPI_Lookup_name on the other, MPI_Unpublish_name' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pubsub >out &&
	cat >expect <<-\EOF &&
	rank 0 published: ok
	rank 3 looked up: port-of-rank-0
	rank 0 unpublished: ok
	rank 3 looked up again: nothing
	EOF
	test_cmp expect out
'

test_expect_success MPI,MUNGE 'PMIx_Lookup with PMIX_WAIT waits for a key published later on another node' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli lookupwait >out &&
	echo "rank 3 found: published late (from rank 0)" >expect &&
	test_cmp expect out
'

test_expect_success MPI,MUNGE 'publish and lookup by ranks of the root lvd itself' '
	timeout 60 lvrun --mpi=pmix -N 1 -n 2 ./pubsub >out &&
	cat >expect <<-\EOF &&
	rank 0 published: ok
	rank 1 looked up: port-of-rank-0
	rank 0 unpublished: ok
	rank 1 looked up again: nothing
	EOF
	test_cmp expect out
'

test_expect_success MPI,MUNGE 'job control: rank 0 kills the whole step on both nodes' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli killall >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	test_grep "n1: tasks 0-1: Killed" err &&
	test_grep "n2: tasks 2-3: Killed" err
'

test_expect_success MPI,MUNGE 'job control: rank 0 kills rank 3 on the other node; the others end normally' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli killlast >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	echo "rank 0: job control: SUCCESS" >expect &&
	test_cmp expect out &&
	echo "lvrun: error: n2: task 3: Killed" >expect &&
	test_cmp expect err
'

test_expect_success MPI,MUNGE 'a PMIx rank that segfaults: the step fails, the other ranks are killed, the error names rank and node' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli crash >out 2>err
	rc=$? &&
	test $rc -eq 139 &&
	test_grep "lvd: error: step [0-9]*\.[0-9]*: n2: MPI rank 3 was killed by signal 11 (Segmentation fault) before MPI_Finalize" err &&
	test_grep "n2: task 3: Segmentation fault" err &&
	test_grep "n1: tasks 0-1: Killed" err &&
	test_grep "n2: task 2: Killed" err
'

test_expect_success MPI,MUNGE 'an MPI rank that segfaults after MPI_Init: the others, blocked in MPI_Barrier, are killed' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./crash >out 2>err
	rc=$? &&
	test $rc -eq 139 &&
	test_grep "n2: MPI rank 3 was killed by signal 11" err &&
	test_grep "n2: task 3: Segmentation fault" err &&
	test_grep "n1: tasks 0-1: Killed" err
'

test_expect_success MPI,MUNGE 'a fence that a node never enters fails after MpiFenceTimeout and names the node' '
	timeout 60 lvrun --mpi=pmix -N 2 -n 4 ./pmixcli stall >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	test_grep "lvd: error: step [0-9]*\.[0-9]*: MPI fence timed out after 3 s (MpiFenceTimeout): no ranks of node n2 entered it" err &&
	test_grep "MPI fence timed out" "$CLUSTER/nodes/n1/lvd.log"
'

test_expect_success MPI,MUNGE 'three nodes, two of them missing from the fence: both are named' '
	timeout 60 lvrun --mpi=pmix -N 3 -n 3 sh -c "test \$LV_PROCID = 0 && exec ./pmixcli stall; sleep 100" >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	test_grep "no ranks of nodes n2 and n3 entered it" err
'

test_expect_success MPI,MUNGE 'plain tasks under the pmix default: one failing task (no PMIx_Init) does not end the others' '
	lvrun -N 2 -n 2 sh -c "test \$LV_PROCID = 1 && exit 3; sleep 1; echo survived" >out 2>err
	rc=$? &&
	test $rc -eq 3 &&
	echo survived >expect &&
	test_cmp expect out &&
	test_grep "n2: task 1: Exited with exit code 3" err
'

test_expect_success MPI,MUNGE '--kill-on-bad-exit: the first failing task ends the step' '
	timeout 60 lvrun -K -N 2 -n 4 sh -c "test \$LV_PROCID = 3 && exit 3; sleep 100" >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	test_grep "n2: task 3: Exited with exit code 3" err &&
	test_grep "n1: tasks 0-1: Killed" err
'

test_expect_success MPI,MUNGE 'no step directory is left behind' '
	lv_wait_for no_step_dirs 10
'

test_done
