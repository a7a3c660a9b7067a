#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='batch job states: exit codes, signals, time limits, cancel, hold/release, requeue, permissions'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# The time limit tests need more than a minute: Slurm's limits are whole
# minutes.  Run them with LV_TEST_LONG=1.
[ -n "${LV_TEST_LONG:-}" ] && test_set_prereq EXPENSIVE

KILLWAIT=2

test_expect_success MUNGE 'start a 4-node cluster with KillWait=2' '
	lv_cluster_up 4 --cpus 2 --extra KillWait=$KILLWAIT
'

test_expect_success MUNGE 'a job that exits 0 is COMPLETED 0:0; lvbatch -W exits 0' '
	lvbatch -W -o /dev/null --wrap true >out 2>err &&
	test_must_be_empty err &&
	id=$(sed -n "s/^Submitted batch job //p" out) &&
	test -n "$id" &&
	test "$(job_field $id "%i %T")" = "$id COMPLETED" &&
	show_has $id "^   Priority=[0-9]* JobState=COMPLETED Reason=None " &&
	show_has $id "^   Requeue=[01] Restarts=0 BatchFlag=1 ExitCode=0:0$"
'

test_expect_success MUNGE 'exit 3 is FAILED with exit code 3:0; lvbatch -W exits 3' '
	lvbatch -W -o /dev/null --wrap "exit 3" >out 2>err
	rc=$? &&
	test $rc -eq 3 &&
	test_must_be_empty err &&
	failed=$(sed -n "s/^Submitted batch job //p" out) &&
	lvqueue -t all -o "%i %T" >q.out &&
	test_grep -x "$failed FAILED" q.out &&
	test "$(lvqueue -h -t all -j $failed -O ExitCode:10)" = "3:0       " &&
	show_has $failed "^   Priority=[0-9]* JobState=FAILED " &&
	show_has $failed " ExitCode=3:0$"
'

# Regression (was a bug, fixed): a job that exits non-zero keeps Reason=None.  Slurm sets
# NonZeroExitCode (job_exit_code.html: "Any non-zero exit code ... will
# result in a Job State of FAILED with a Reason of NonZeroExitCode"), and
# squeue shows it as (NonZeroExitCode).  src/sched/sched.c
# sched_job_ended / src/sched/launch.c final_state never set a reason.
test_expect_success MUNGE 'a FAILED job has Reason=NonZeroExitCode' '
	show_has $failed "^   Priority=[0-9]* JobState=FAILED Reason=NonZeroExitCode " &&
	test "$(job_field $failed %R)" = "(NonZeroExitCode)"
'

test_expect_success MUNGE 'a job killed by SIGKILL is FAILED 0:9; lvbatch -W exits 128+9' '
	lvbatch -W -o /dev/null --wrap "kill -9 \$\$" >out 2>err
	rc=$? &&
	test $rc -eq 137 &&
	id=$(sed -n "s/^Submitted batch job //p" out) &&
	test "$(job_field $id "%i %T")" = "$id FAILED" &&
	test "$(lvqueue -h -t all -j $id -O ExitCode:5)" = "0:9  " &&
	show_has $id " ExitCode=0:9$"
'

test_expect_success MUNGE 'time limits are whole minutes: -t 0:05 is 1:00, -t 90 is 1:30:00' '
	id=$(lvbatch --parsable -H -t 0:05 -o /dev/null --wrap true) &&
	test "$(job_field $id %l)" = 1:00 &&
	show_has $id "^   RunTime=0:00 TimeLimit=1:00$" &&
	id2=$(lvbatch --parsable -H -t 90 -o /dev/null --wrap true) &&
	test "$(job_field $id2 %l)" = 1:30:00 &&
	id3=$(lvbatch --parsable -H -t 1-0 -o /dev/null --wrap true) &&
	test "$(job_field $id3 %l)" = 1-00:00:00 &&
	lvcancel $id $id2 $id3
'

test_expect_success MUNGE 'cancelling a pending job makes it CANCELLED at once' '
	id=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldUser" &&
	lvcancel $id 2>err &&
	test_must_be_empty err &&
	test "$(job_field $id %T)" = CANCELLED &&
	lvqueue -h >q.out &&
	test_must_be_empty q.out
'

test_expect_success MUNGE 'cancelling a running job makes it CANCELLED and its processes go' '
	rm -f sh.pid sleep.pid &&
	id=$(lvbatch --parsable -o /dev/null --wrap "sleep 300 & echo \$! >$TRASH/sleep.pid; echo \$\$ >$TRASH/sh.pid; wait") &&
	shpid=$(wait_pid_file sh.pid) &&
	sleeppid=$(wait_pid_file sleep.pid) &&
	lv_pid_alive $shpid &&
	lv_pid_alive $sleeppid &&
	test "$(job_field $id %T)" = RUNNING &&
	lvcancel $id &&
	wait_state $id CANCELLED $((KILLWAIT + 2)) &&
	lv_wait_for "! lv_pid_alive $shpid && ! lv_pid_alive $sleeppid" $((KILLWAIT + 2)) &&
	show_has $id " ExitCode=0:15$"
'

test_expect_success MUNGE 'a job that ignores SIGTERM is killed after KillWait' '
	rm -f sh.pid sleep.pid &&
	id=$(lvbatch --parsable -o /dev/null --wrap "trap \"\" TERM; sleep 300 & echo \$! >$TRASH/sleep.pid; echo \$\$ >$TRASH/sh.pid; wait; wait; wait") &&
	shpid=$(wait_pid_file sh.pid) &&
	sleeppid=$(wait_pid_file sleep.pid) &&
	lvcancel $id &&
	sleep 1 &&
	lv_pid_alive $sleeppid &&
	lv_wait_for "! lv_pid_alive $shpid && ! lv_pid_alive $sleeppid" $((KILLWAIT + 2)) &&
	wait_state $id CANCELLED 2 &&
	test_grep "job: job=$id did not stop within KillWait, SIGKILL$" "$CLUSTER"/nodes/*/lvd.log
'

test_expect_success MUNGE 'lvbatch -W reports a cancelled job and exits non-zero' '
	rm -f sh.pid &&
	{ lvbatch -W -o /dev/null --wrap "echo \$\$ >$TRASH/sh.pid; sleep 300" >w.out 2>w.err; echo $? >w.rc; } &
	wpid=$! &&
	lv_wait_for "grep -q \"^Submitted batch job\" w.out" 10 &&
	id=$(sed -n "s/^Submitted batch job //p" w.out) &&
	wait_pid_file sh.pid >/dev/null &&
	lvcancel $id &&
	lv_wait_for "test -s w.rc" $((KILLWAIT + 3)) &&
	wait $wpid &&
	test "$(cat w.rc)" -ne 0 &&
	test_grep "^lvbatch: error: Job $id ended in state CANCELLED$" w.err
'

test_expect_success NOBODY,MUNGE 'nobody may not cancel a job of root' '
	id=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	test_must_fail as_nobody lvcancel $id 2>err &&
	echo "lvcancel: error: Kill job error on job id $id: Access/permission denied" >expect &&
	test_cmp expect err &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldUser" &&
	test_grep "job: uid=65534 may not cancel job=$id of uid=0$" "$CLUSTER/lvctld.log" &&
	rm -f sh.pid &&
	run=$(lvbatch --parsable -o /dev/null --wrap "echo \$\$ >$TRASH/sh.pid; sleep 300") &&
	shpid=$(wait_pid_file sh.pid) &&
	test_must_fail as_nobody lvcancel $run 2>err &&
	test_grep "Access/permission denied" err &&
	test_must_fail as_nobody lvcancel -s KILL $run 2>err &&
	test_grep "Access/permission denied" err &&
	sleep 0.5 &&
	lv_pid_alive $shpid &&
	test "$(job_field $run %T)" = RUNNING &&
	lvcancel $id $run &&
	wait_state $run CANCELLED $((KILLWAIT + 2))
'

test_expect_success NOBODY,MUNGE 'lvcancel -u selects only what the caller may touch' '
	id=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	test_might_fail as_nobody lvcancel -u root 2>err &&
	test "$(job_field $id %T)" = PENDING &&
	lvcancel $id
'

test_expect_success MUNGE '-H holds a job (JobHeldUser); lvcontrol release lets it run' '
	id=$(lvbatch --parsable -H -o held.out --wrap "echo ran") &&
	sleep 0.5 &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldUser" &&
	test_path_is_missing held.out &&
	lvcontrol release $id &&
	wait_state $id COMPLETED &&
	echo ran >expect &&
	test_cmp expect held.out
'

test_expect_success MUNGE 'an administrator'"'"'s hold is JobHeldAdmin, uhold JobHeldUser; release restores the reason' '
	id=$(lvbatch --parsable --begin now+600 -o /dev/null --wrap true) &&
	lv_wait_for "test \"\$(job_field $id %r)\" = BeginTime" 5 &&
	lvcontrol hold $id &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldAdmin" &&
	lvcontrol uhold $id &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldUser" &&
	lvcontrol release $id &&
	test "$(job_field $id "%T %r")" = "PENDING BeginTime" &&
	lvcancel $id
'

test_expect_success MUNGE 'a running job cannot be held' '
	rm -f sh.pid &&
	id=$(lvbatch --parsable -o /dev/null --wrap "echo \$\$ >$TRASH/sh.pid; sleep 300") &&
	wait_pid_file sh.pid >/dev/null &&
	test_must_fail lvcontrol hold $id 2>err &&
	test_grep "^lvcontrol: error: job $id: Job is no longer pending execution$" err &&
	test "$(job_field $id %T)" = RUNNING &&
	lvcancel $id &&
	wait_state $id CANCELLED $((KILLWAIT + 2))
'

test_expect_success MUNGE 'lvcancel -b -s USR1 signals the batch shell only; the job goes on' '
	rm -f sh.pid done.flag &&
	cat >usr1.sh <<-EOF &&
	#!/bin/sh
	#SBATCH -o usr1.out
	trap "echo batch got USR1" USR1
	echo \$\$ >$TRASH/sh.pid
	while [ ! -e $TRASH/done.flag ]; do sleep 0.1; done
	echo end
	EOF
	id=$(lvbatch --parsable usr1.sh) &&
	wait_pid_file sh.pid >/dev/null &&
	lvcancel -b -s USR1 $id 2>err &&
	test_must_be_empty err &&
	lv_wait_for "grep -q \"batch got USR1\" usr1.out" 5 &&
	test "$(job_field $id %T)" = RUNNING &&
	touch done.flag &&
	wait_state $id COMPLETED &&
	printf "batch got USR1\nend\n" >expect &&
	test_cmp expect usr1.out
'

test_expect_success MUNGE 'lvcancel -s of a job that is not running fails' '
	id=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	test_must_fail lvcancel -s USR1 $id 2>err &&
	echo "lvcancel: error: Kill job error on job id $id: Job is not running" >expect &&
	test_cmp expect err &&
	test "$(job_field $id %T)" = PENDING &&
	lvcancel $id
'

# Regression (was a bug, fixed): "lvcancel -s SIG JOB" sends SIG to the batch script's whole process
# group and never to the job's steps (src/sched/launch.c launch_signal ->
# src/plugins/batch/batch.c batch_signal killpg).  scancel documents the
# opposite: without --batch/--full only the job steps are signalled, "By
# default, signals other than SIGKILL are not sent to the batch step".
# Here lvrun itself gets USR1, dies of it, and its step is killed.
test_expect_success MUNGE 'lvcancel -s USR1 reaches the steps, not the batch shell (scancel default)' '
	rm -f step.pid &&
	cat >steps.sh <<-EOF &&
	#!/bin/sh
	#SBATCH -o steps-usr1.out
	trap "echo batch got USR1" USR1
	lvrun -n 1 sh -c "trap \\"echo step got USR1; exit 0\\" USR1; echo \\\$\\\$ >$TRASH/step.pid; while :; do sleep 0.1; done"
	echo "lvrun rc=\$?"
	EOF
	id=$(lvbatch --parsable steps.sh) &&
	wait_pid_file step.pid >/dev/null &&
	lvcancel -s USR1 $id &&
	wait_state $id COMPLETED 5 &&
	test_grep "^step got USR1$" steps-usr1.out &&
	test_grep "^lvrun rc=0$" steps-usr1.out &&
	! grep -q "batch got USR1" steps-usr1.out
'

test_expect_success NOBODY,MUNGE 'a user holds and releases their own job; an admin hold stays' '
	id=$(as_nobody lvbatch --parsable --begin now+600 -o /dev/null --wrap true) &&
	as_nobody lvcontrol hold $id &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldUser" &&
	as_nobody lvcontrol release $id &&
	test "$(job_field $id "%T %r")" = "PENDING BeginTime" &&
	lvcontrol hold $id &&
	test_must_fail as_nobody lvcontrol release $id 2>err &&
	test_grep "Access/permission denied" err &&
	test "$(job_field $id "%T %r")" = "PENDING JobHeldAdmin" &&
	as_nobody lvcancel $id &&
	test "$(job_field $id %T)" = CANCELLED
'

test_expect_success MUNGE 'requeue of a running job: it runs again and Restarts=1' '
	rm -f runs.txt sh.pid &&
	id=$(lvbatch --parsable -o /dev/null --wrap "echo run \$SLURM_RESTART_COUNT >>$TRASH/runs.txt; echo \$\$ >$TRASH/sh.pid; sleep 300") &&
	shpid=$(wait_pid_file sh.pid) &&
	rm -f sh.pid &&
	lvcontrol requeue $id &&
	lv_wait_for "! lv_pid_alive $shpid" $((KILLWAIT + 2)) &&
	newpid=$(wait_pid_file sh.pid) &&
	test "$newpid" != "$shpid" &&
	wait_state $id RUNNING &&
	test $(wc -l <runs.txt) -eq 2 &&
	show_has $id "^   Requeue=[01] Restarts=1 BatchFlag=1 ExitCode=0:0$" &&
	test "$(lvqueue -h -j $id -O RestartCnt:2)" = "1 "
'

# Regression (was a bug, fixed): a requeued job is not told it was restarted.  sbatch documents
# SLURM_RESTART_COUNT ("If the job has been restarted due to system
# failure or has been explicitly requeued, this will be sent to the
# number of times the job has been restarted"); the launch body carries
# "restarts" but src/node/jobenv.c jobenv_build never exports it.
test_expect_success MUNGE 'the requeued run sees SLURM_RESTART_COUNT=1' '
	test "$(sed -n 2p runs.txt)" = "run 1"
'

test_expect_success MUNGE 'requeue of a pending job is refused; cancel the requeued one' '
	p=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	test_must_fail lvcontrol requeue $p 2>err &&
	test_grep "^lvcontrol: error: job $p: Job is pending: nothing to requeue$" err &&
	lvcancel $p $id &&
	wait_state $id CANCELLED $((KILLWAIT + 2))
'

test_expect_success MUNGE 'a finished batch job can be requeued and runs again' '
	rm -f fin.txt &&
	id=$(lvbatch --parsable -o /dev/null --wrap "echo ran >>$TRASH/fin.txt") &&
	wait_state $id COMPLETED &&
	lvcontrol requeue $id &&
	lv_wait_for "test \$(wc -l <fin.txt) -eq 2" 10 &&
	wait_state $id COMPLETED &&
	show_has $id " Restarts=1 "
'

test_expect_success NOBODY,MUNGE 'a user may lower a time limit but not raise it' '
	id=$(as_nobody lvbatch --parsable -H -t 10 -o /dev/null --wrap true) &&
	test_must_fail as_nobody lvcontrol update JobId=$id TimeLimit=20 2>err &&
	test_grep "^lvcontrol: error: job $id: Access/permission denied" err &&
	test "$(job_field $id %l)" = 10:00 &&
	as_nobody lvcontrol update JobId=$id TimeLimit=5 &&
	test "$(job_field $id %l)" = 5:00 &&
	test_must_fail as_nobody lvcontrol update JobId=$id TimeLimit=8 2>err &&
	test_grep "Access/permission denied" err &&
	test "$(job_field $id %l)" = 5:00 &&
	test_must_fail as_nobody lvcontrol update JobId=$id TimeLimit=UNLIMITED 2>err &&
	test "$(job_field $id %l)" = 5:00 &&
	lvcontrol update JobId=$id TimeLimit=30 &&
	test "$(job_field $id %l)" = 30:00 &&
	as_nobody lvcancel $id
'

test_expect_success NOBODY,MUNGE 'a user may not update someone else'"'"'s job' '
	id=$(lvbatch --parsable -H -t 10 -o /dev/null --wrap true) &&
	test_must_fail as_nobody lvcontrol update JobId=$id TimeLimit=5 2>err &&
	echo "lvcontrol: error: job $id: Access/permission denied" >expect &&
	test_cmp expect err &&
	test "$(job_field $id %l)" = 10:00 &&
	test_must_fail as_nobody lvcontrol release $id 2>err &&
	test_cmp expect err &&
	test "$(job_field $id %T)" = PENDING &&
	test_grep "job: uid=65534 may not update job=$id of uid=0$" "$CLUSTER/lvctld.log" &&
	lvcancel $id
'

# The time limit tests: both jobs start together with a 1 minute limit;
# the second gets 5 minutes from the administrator while it runs.
test_expect_success EXPENSIVE,MUNGE 'start two jobs with -t 1' '
	rm -f to.pid raised.pid &&
	to=$(lvbatch --parsable -t 1 -o timeout.out --wrap "echo start; echo \$\$ >$TRASH/to.pid; sleep 300") &&
	raised=$(lvbatch --parsable -t 1 -o /dev/null --wrap "echo \$\$ >$TRASH/raised.pid; sleep 100") &&
	topid=$(wait_pid_file to.pid) &&
	wait_pid_file raised.pid >/dev/null &&
	lvcontrol update JobId=$raised TimeLimit=5 &&
	test "$(job_field $raised %l)" = 5:00
'

test_expect_success EXPENSIVE,MUNGE 'a job over its time limit ends TIMEOUT' '
	lv_wait_for "state_is $to TIMEOUT" 75 &&
	lv_wait_for "! lv_pid_alive $topid" $((KILLWAIT + 2)) &&
	echo start >expect &&
	test_cmp expect timeout.out &&
	test_grep "job: job=$to reached its time limit$" "$CLUSTER"/nodes/*/lvd.log
'

# Regression (was a bug, fixed): a time limit raised (or lowered) on a running job is not enforced:
# lvd arms its timer once from time_limit_secs in the launch body
# (src/node/allocs.c allocs_rpc_launch) and JOB_UPDATE only changes the
# controller's record (src/sched/rpc_jobctl.c update_fields).  Slurm
# enforces the updated TimeLimit.
test_expect_success EXPENSIVE,MUNGE 'a time limit raised while the job runs is honoured' '
	test "$(job_field $raised %T)" = RUNNING
'

test_expect_success EXPENSIVE,MUNGE 'clean up the raised job' '
	lvcancel $raised 2>/dev/null
	true
'

test_done
