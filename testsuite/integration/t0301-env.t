#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='a batch job'"'"'s environment, --export, working directory and user'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# env_of FILE NAME: the value of NAME in an "env" dump, or "<unset>".
env_of() {
	if grep -q "^$2=" "$1"; then
		sed -n "s/^$2=//p" "$1"
	else
		echo "<unset>"
	fi
}

# expect_var FILE NAME VALUE
expect_var() {
	test "$(env_of "$1" "$2")" = "$3" || {
		echo "expect_var: $2 is \"$(env_of "$1" "$2")\", not \"$3\"" >&4
		return 1
	}
}

test_expect_success MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2 --extra KillWait=2
'

test_expect_success MUNGE 'a job sees LV_JOB_ID, LV_JOB_NAME, LV_NTASKS, LV_JOB_NODELIST' '
	id=$(lvbatch --parsable -J envjob -N 2 -n 3 -o env1.out --wrap env) &&
	wait_done $id &&
	expect_var env1.out LV_JOB_ID $id &&
	expect_var env1.out LV_JOB_NAME envjob &&
	expect_var env1.out LV_NTASKS 3 &&
	expect_var env1.out LV_CPUS_PER_TASK 1 &&
	expect_var env1.out LV_JOB_NUM_NODES 2 &&
	nodes=$(job_field $id %N) &&
	case $nodes in n\[[1-4]-[1-4]\] | n\[[1-4],[1-4]\]) ;; *) false ;; esac &&
	expect_var env1.out LV_JOB_NODELIST "$nodes" &&
	expect_var env1.out LV_JOB_PARTITION debug &&
	expect_var env1.out LV_JOB_USER root &&
	expect_var env1.out LV_JOB_UID 0
'

test_expect_success MUNGE 'Slurm names: SLURM_JOB_NAME, SLURM_NTASKS, SLURM_CPUS_PER_TASK are set' '
	expect_var env1.out SLURM_JOB_NAME envjob &&
	expect_var env1.out SLURM_NTASKS 3 &&
	expect_var env1.out SLURM_CPUS_PER_TASK 1 &&
	expect_var env1.out SLURM_JOB_NUM_NODES 2 &&
	expect_var env1.out SLURM_SUBMIT_DIR "$TRASH"
'

# docs: lvd leaves SLURM_JOB_ID, SLURM_JOBID and SLURM_(JOB_)NODELIST out
# on purpose, so that Open MPI and MPICH do not try to launch with srun.
test_expect_success MUNGE 'SLURM_JOB_ID and SLURM_NODELIST are deliberately absent' '
	expect_var env1.out SLURM_JOB_ID "<unset>" &&
	expect_var env1.out SLURM_JOBID "<unset>" &&
	expect_var env1.out SLURM_NODELIST "<unset>" &&
	expect_var env1.out SLURM_JOB_NODELIST "<unset>"
'

test_expect_success MUNGE 'job variables of the submitting shell do not leak into the job' '
	id=$(SLURM_JOB_ID=4242 SLURM_NODELIST=bogus[1-9] LV_JOB_ID=4242 \
		LV_ARRAY_TASK_ID=7 LV_JOB_NODELIST=bogus \
		lvbatch --parsable -o env2.out --wrap env) &&
	wait_done $id &&
	expect_var env2.out LV_JOB_ID $id &&
	expect_var env2.out SLURM_JOB_ID "<unset>" &&
	expect_var env2.out SLURM_NODELIST "<unset>" &&
	expect_var env2.out LV_ARRAY_TASK_ID "<unset>" &&
	expect_var env2.out LV_JOB_NODELIST "$(job_field $id %N)"
'

test_expect_success MUNGE '-c sets LV_CPUS_PER_TASK and SLURM_CPUS_PER_TASK' '
	id=$(lvbatch --parsable -c 2 -o env3.out --wrap env) &&
	wait_done $id &&
	expect_var env3.out LV_CPUS_PER_TASK 2 &&
	expect_var env3.out SLURM_CPUS_PER_TASK 2 &&
	expect_var env3.out LV_NTASKS 1
'

test_expect_success MUNGE 'LV_SUBMIT_DIR is where lvbatch ran; the job runs in its --chdir' '
	mkdir -p sub elsewhere &&
	id=$(cd sub && lvbatch --parsable -D ../elsewhere -o env4.out --wrap "env; echo PWD_IS=\$(pwd -P)") &&
	wait_done $id &&
	test_path_is_file elsewhere/env4.out &&
	expect_var elsewhere/env4.out LV_SUBMIT_DIR "$TRASH/sub" &&
	expect_var elsewhere/env4.out SLURM_SUBMIT_DIR "$TRASH/sub" &&
	expect_var elsewhere/env4.out PWD_IS "$TRASH/elsewhere"
'

test_expect_success MUNGE 'an array task sees LV_ARRAY_JOB_ID, LV_ARRAY_TASK_ID and the SLURM_ names' '
	id=$(lvbatch --parsable --array=4-5 -o arr-%a.out --wrap env) &&
	lv_wait_for "test -s arr-4.out && test -s arr-5.out && test -z \"\$(lvqueue -h)\"" 10 &&
	for t in 4 5; do
		expect_var arr-$t.out LV_ARRAY_JOB_ID $id &&
		expect_var arr-$t.out LV_ARRAY_TASK_ID $t &&
		expect_var arr-$t.out SLURM_ARRAY_JOB_ID $id &&
		expect_var arr-$t.out SLURM_ARRAY_TASK_ID $t &&
		expect_var arr-$t.out LV_ARRAY_TASK_COUNT 2 &&
		expect_var arr-$t.out SLURM_ARRAY_TASK_COUNT 2 || return 1
	done &&
	test "$(env_of arr-4.out LV_JOB_ID)" != "$(env_of arr-5.out LV_JOB_ID)"
'

# Regression (was a bug, fixed): lvd sets SLURM_ARRAY_TASK_COUNT but not SLURM_ARRAY_TASK_MIN,
# SLURM_ARRAY_TASK_MAX and SLURM_ARRAY_TASK_STEP, which sbatch documents
# for every array task (src/node/jobenv.c jobenv_build; the controller's
# launch body in src/sched/launch.c does not send them either).
test_expect_success MUNGE 'an array task sees SLURM_ARRAY_TASK_MIN/MAX/STEP' '
	expect_var arr-4.out SLURM_ARRAY_TASK_MIN 4 &&
	expect_var arr-4.out SLURM_ARRAY_TASK_MAX 5 &&
	expect_var arr-4.out SLURM_ARRAY_TASK_STEP 1
'

test_expect_success MUNGE 'the submitter'"'"'s environment is exported by default' '
	id=$(MYVAR=visible lvbatch --parsable -o exp0.out --wrap env) &&
	wait_done $id &&
	expect_var exp0.out MYVAR visible
'

test_expect_success MUNGE '--export=NONE hides the submitter'"'"'s variables' '
	id=$(MYVAR=secret lvbatch --parsable --export=NONE -o exp1.out --wrap env) &&
	wait_done $id &&
	expect_var exp1.out MYVAR "<unset>" &&
	expect_var exp1.out HOME "<unset>" &&
	expect_var exp1.out LV_JOB_ID $id &&
	expect_var exp1.out PATH /usr/local/bin:/usr/bin:/bin
'

test_expect_success MUNGE '--export=FOO=bar,ALL adds FOO and keeps the rest' '
	id=$(MYVAR=kept lvbatch --parsable --export=FOO=bar,ALL -o exp2.out --wrap env) &&
	wait_done $id &&
	expect_var exp2.out FOO bar &&
	expect_var exp2.out MYVAR kept
'

test_expect_success MUNGE '--export=FOO=bar,MYVAR passes only those' '
	id=$(MYVAR=named OTHER=hidden lvbatch --parsable --export=FOO=bar,MYVAR -o exp3.out --wrap env) &&
	wait_done $id &&
	expect_var exp3.out FOO bar &&
	expect_var exp3.out MYVAR named &&
	expect_var exp3.out OTHER "<unset>"
'

test_expect_success MUNGE 'a bad --export is refused' '
	test_must_fail lvbatch --export=ALL,NONE --wrap true 2>err &&
	test_grep "^lvbatch: error: Invalid --export specification$" err &&
	test_must_fail lvbatch --export=1BAD=x --wrap true 2>err &&
	test_grep "^lvbatch: error: Invalid --export specification$" err
'

test_expect_success MUNGE 'a root job runs as root' '
	id=$(lvbatch --parsable -o uid-root.out --wrap "id -u; id -g") &&
	wait_done $id &&
	printf "0\n0\n" >expect &&
	test_cmp expect uid-root.out
'

test_expect_success NOBODY,MUNGE 'a job submitted by nobody runs as nobody' '
	mkdir -p pub &&
	chmod 0777 pub &&
	id=$(cd pub && as_nobody lvbatch --parsable -o uid.out --wrap "id -u; id -g; pwd -P") &&
	wait_done $id &&
	printf "65534\n65534\n%s\n" "$TRASH/pub" >expect &&
	test_cmp expect pub/uid.out &&
	test "$(stat -c %u pub/uid.out)" = 65534 &&
	test "$(job_field $id %u)" = "$(getent passwd 65534 | cut -d: -f1)" &&
	test "$(job_field $id %U)" = 65534
'

test_expect_success NOBODY,MUNGE 'nobody'"'"'s job cannot write its output where nobody may not' '
	mkdir -p rootonly &&
	chmod 0755 rootonly &&
	id=$(cd pub && as_nobody lvbatch --parsable -o "$TRASH/rootonly/x.out" --wrap "echo written") &&
	lv_wait_for "grep -q \"cannot open output file $TRASH/rootonly/x.out: Permission denied\" \"$CLUSTER\"/nodes/*/lvd.log" 10 &&
	test_grep "job: launch on n[1-4] failed: cannot open output file $TRASH/rootonly/x.out: Permission denied$" "$CLUSTER"/nodes/*/lvd.log &&
	test_path_is_missing rootonly/x.out &&
	st=$(job_field $id %T) &&
	case $st in PENDING | FAILED) ;; *) false ;; esac &&
	lvcancel $id &&
	test_path_is_missing rootonly/x.out
'

# Regression (was a bug, fixed): lvd dies (SIGSEGV) after any batch launch that fails once the job
# process was forked (output or input file not openable, user not
# switchable): allocs_rpc_launch's error path registers the child with
# children_watch(..., NULL, NULL) and on_sigchld then calls the NULL
# callback (src/node/allocs.c, src/node/children.c).  Any user can take
# nodes down with "lvbatch -o /nonexistent/x --wrap true".
test_expect_success NOBODY,MUNGE 'every lvd survives the failed launch' '
	sleep 1 &&
	dead= &&
	for f in "$CLUSTER"/nodes/*/lvd.pid; do
		lv_pid_alive $(cat "$f") || dead="$dead $f"
	done &&
	echo "dead lvd:$dead" >&4 &&
	test -z "$dead"
'

test_done
