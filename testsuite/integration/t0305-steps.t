#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvrun steps and lvalloc allocations: tasks, labels, exit codes, stdin, --multi-prog, signals, --begin'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# The id of the newest job with this name.
last_job_named() {
	lvqueue -h -t all -n "$1" -o %i | sort -n | tail -n 1
}

test_expect_success MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2 --extra KillWait=2
'

test_expect_success MUNGE 'lvrun -n 4 hostname outside a job prints 4 lines' '
	lvrun -n 4 hostname >out 2>err &&
	test_must_be_empty err &&
	h=$(hostname) &&
	printf "%s\n" "$h" "$h" "$h" "$h" >expect &&
	test_cmp expect out
'

test_expect_success MUNGE 'its allocation is released: the job COMPLETED on 2 nodes' '
	queue_empty &&
	id=$(last_job_named hostname) &&
	test -n "$id" &&
	test "$(job_field $id "%T %D %C")" = "COMPLETED 2 4" &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *4 *idle n\[1-4\]$" out
'

test_expect_success MUNGE 'each task has its rank; -l labels the lines' '
	lvrun -n 4 -l sh -c "echo rank \$LV_PROCID \$SLURM_PROCID of \$LV_STEP_NUM_TASKS" >out &&
	sort out >actual &&
	cat >expect <<-\EOF &&
	0: rank 0 0 of 4
	1: rank 1 1 of 4
	2: rank 2 2 of 4
	3: rank 3 3 of 4
	EOF
	test_cmp expect actual
'

test_expect_success MUNGE 'lvrun exits with the worst task'"'"'s exit code' '
	lvrun -n 3 sh -c "exit \$LV_PROCID" >out 2>err
	rc=$? &&
	test $rc -eq 2 &&
	test_grep "^lvrun: error: n[1-4]: task 1: Exited with exit code 1$" err &&
	test_grep "^lvrun: error: n[1-4]: task 2: Exited with exit code 2$" err &&
	test_grep ! "task 0" err &&
	id=$(last_job_named sh) &&
	test "$(job_field $id %T)" = FAILED
'

test_expect_success MUNGE 'a task killed by a signal makes lvrun exit 128+signal' '
	lvrun -n 2 sh -c "[ \$LV_PROCID = 1 ] && kill -9 \$\$; exit 3" 2>err
	rc=$? &&
	test $rc -eq 137 &&
	test_grep "task 1: Killed" err &&
	test_grep "task 0: Exited with exit code 3$" err
'

test_expect_success MUNGE 'stdin reaches task 0 only' '
	echo x | lvrun -n 2 cat >out &&
	echo x >expect &&
	test_cmp expect out &&
	printf "a\nb\n" | lvrun -n 3 -l cat >out &&
	printf "0: a\n0: b\n" >expect &&
	test_cmp expect out
'

test_expect_success MUNGE '--multi-prog runs each rank'"'"'s line, with %t and %o' '
	cat >mp.conf <<-\EOF &&
	# rank  program
	0       echo zero
	1-2     echo mid %t %o
	*       echo rest %t
	EOF
	lvrun -n 5 -l --multi-prog mp.conf >out &&
	sort out >actual &&
	cat >expect <<-\EOF &&
	0: zero
	1: mid 1 0
	2: mid 2 1
	3: rest 3
	4: rest 4
	EOF
	test_cmp expect actual
'

test_expect_success MUNGE '--multi-prog without a line for every rank is refused before allocating' '
	lvqueue -h -t all >before &&
	printf "0 echo zero\n" >short.conf &&
	test_must_fail lvrun -n 2 --multi-prog short.conf >out 2>err &&
	test_must_be_empty out &&
	test_grep "^lvrun: error: short.conf: no program given for rank 1$" err &&
	lvqueue -h -t all >after &&
	test_cmp before after
'

test_expect_success MUNGE 'lvrun inside a batch job uses the job'"'"'s allocation' '
	cat >steps.sh <<-\EOF &&
	#!/bin/sh
	#SBATCH -n 4 -o steps.out
	lvrun -n 4 -l sh -c "echo \$LV_PROCID \$LV_JOB_ID \$LV_STEP_ID"
	echo "rc=$?"
	lvrun hostname | wc -l
	lvrun -n 5 true
	echo "rc5=$?"
	EOF
	id=$(lvbatch --parsable steps.sh) &&
	wait_state $id COMPLETED 15 &&
	sed -n "/^[0-3]: /p" steps.out | sort >actual &&
	printf "0: 0 $id 0\n1: 1 $id 0\n2: 2 $id 0\n3: 3 $id 0\n" >expect &&
	test_cmp expect actual &&
	test_grep -x "rc=0" steps.out &&
	test_grep -x "4" steps.out &&
	test_grep "^lvrun: error: Unable to create step for job $id: Requested more tasks (5) than the job'"'"'s allocation holds$" steps.out &&
	test_grep -x "rc5=1" steps.out &&
	lvcontrol show job $id >show &&
	test_grep "^   Step $id.0 Name=sh NumTasks=4 NodeList=n\[[1-4]-[1-4]\] State=ENDED " show &&
	test_grep "^   Step $id.1 Name=hostname NumTasks=4 " show
'

test_expect_success MUNGE 'lvalloc -n 2 runs a command with the allocation, then releases it' '
	lvalloc -n 2 sh -c "echo job=\$LV_JOB_ID; lvrun -n 2 true; echo rc=\$?" >out 2>err &&
	id=$(sed -n "s/^job=//p" out) &&
	test -n "$id" &&
	printf "job=%s\nrc=0\n" $id >expect &&
	test_cmp expect out &&
	cat >expect <<-EOF &&
	lvalloc: Pending job allocation $id
	lvalloc: Granted job allocation $id
	lvalloc: Relinquishing job allocation $id
	EOF
	test_cmp expect err &&
	queue_empty &&
	test "$(job_field $id %T)" = COMPLETED
'

test_expect_success MUNGE 'lvalloc exits with its command'"'"'s exit code' '
	lvalloc -Q -n 1 sh -c "exit 4" 2>err
	rc=$? &&
	test $rc -eq 4 &&
	test_must_be_empty err &&
	queue_empty
'

# bg_lvrun ARGS...: lvrun in the background; $bgpid is the shell that
# waits for it, lvrun.pid gets lvrun's own PID (the shell execs it).
bg_lvrun() {
	rm -f lvrun.pid &&
	sh -c 'echo $$ >lvrun.pid; exec lvrun "$@"' lvrun "$@" 2>int.err &
	bgpid=$!
}

test_expect_success MUNGE 'Ctrl-C (SIGINT twice) ends lvrun and its task' '
	rm -f t.pid &&
	printf "echo \$\$ >$TRASH/t.pid\nexec sleep 100\n" >sleeper.sh &&
	bg_lvrun -n 1 sh sleeper.sh &&
	lv_wait_for "test -s t.pid && test -s lvrun.pid" 10 &&
	lvpid=$(cat lvrun.pid) &&
	tpid=$(cat t.pid) &&
	lv_pid_alive $tpid &&
	kill -INT $lvpid &&
	sleep 0.2 &&
	{ kill -INT $lvpid 2>/dev/null; true; } &&
	lv_wait_for "! lv_pid_alive $lvpid" 3 &&
	{ wait $bgpid; rc=$?; } &&
	test $rc -ne 0 &&
	lv_wait_for "! lv_pid_alive $tpid" 3 &&
	test_grep "^lvrun: interrupt (one more within 1 sec to abort)$" int.err &&
	lv_wait_for queue_empty 5
'

test_expect_success MUNGE 'a second Ctrl-C within a second kills a task that ignores SIGINT' '
	rm -f t.pid &&
	printf "trap \"\" INT\necho \$\$ >$TRASH/t.pid\nwhile :; do sleep 0.1; done\n" >noint.sh &&
	bg_lvrun -n 1 sh noint.sh &&
	lv_wait_for "test -s t.pid && test -s lvrun.pid" 10 &&
	lvpid=$(cat lvrun.pid) &&
	tpid=$(cat t.pid) &&
	kill -INT $lvpid &&
	sleep 0.3 &&
	lv_pid_alive $tpid &&
	lv_pid_alive $lvpid &&
	kill -INT $lvpid &&
	lv_wait_for "! lv_pid_alive $lvpid" 3 &&
	{ wait $bgpid; rc=$?; } &&
	test $rc -eq 137 &&
	lv_wait_for "! lv_pid_alive $tpid" 3 &&
	test_grep "^lvrun: forcing job termination$" int.err &&
	test_grep "task 0: Killed$" int.err &&
	lv_wait_for queue_empty 5
'

test_expect_success MUNGE '--begin now+3 waits with reason BeginTime, then runs' '
	t0=$(date +%s) &&
	lvrun --begin now+3 -J later sh -c "date +%s" >begin.out 2>begin.err &
	lvpid=$! &&
	lv_wait_for "test -n \"\$(last_job_named later)\"" 5 &&
	id=$(last_job_named later) &&
	sleep 0.5 &&
	test "$(job_field $id "%T %r")" = "PENDING BeginTime" &&
	lv_wait_for "! lv_pid_alive $lvpid" 8 &&
	wait $lvpid &&
	test "$(cat begin.out)" -ge $((t0 + 3)) &&
	test "$(job_field $id %T)" = COMPLETED
'

test_done
