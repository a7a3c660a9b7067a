#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='job arrays: index sets, the %N throttle, output patterns, lvqueue and lvcancel of tasks'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

KILLWAIT=2

# The pending part of an array as lvqueue's default format shows it.
pending_row() {
	lvqueue -h -t PD -j "$1" -o "%i %T %r"
}

# tasks_in_state ARRAY STATE: "ID_T" of the array's tasks in STATE.
tasks_in_state() {
	lvqueue -h -t "$2" -j "$1" -o %i | sort -t_ -k2 -n
}

test_expect_success MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2 --extra KillWait=$KILLWAIT
'

# Each task makes a marker while it runs and records how many markers
# it saw, itself included; a task seeing 3 ran with 2 others.  Markers
# go before the task's end is reported, so a stale one can only make the
# count higher, never hide an overlap.
test_expect_success MUNGE '--array=1-10%2 runs all 10 tasks, never more than 2 at once' '
	mkdir -p thr &&
	cat >thr.sh <<-EOF &&
	#!/bin/sh
	#SBATCH -o $TRASH/thr/out-%A_%a.txt
	cd $TRASH/thr || exit 1
	: >run.\$LV_ARRAY_TASK_ID
	set -- run.*
	echo "\$LV_ARRAY_TASK_ID \$#" >>seen
	sleep 0.5
	set -- run.*
	echo "\$LV_ARRAY_TASK_ID \$#" >>seen
	rm run.\$LV_ARRAY_TASK_ID
	echo "task \$LV_ARRAY_TASK_ID of \$LV_ARRAY_JOB_ID"
	EOF
	thr=$(lvbatch --parsable --array=1-10%2 thr.sh) &&
	row=$(pending_row $thr) &&
	case $row in
	"${thr}_[3-10%2] PENDING JobArrayTaskLimit" | "${thr}_[4-10%2] PENDING JobArrayTaskLimit" | \
	"${thr}_[5-10%2] PENDING JobArrayTaskLimit") ;;
	*) echo "pending: $row" >&4; false ;;
	esac &&
	test $(tasks_in_state $thr R | wc -l) -le 2 &&
	lv_wait_for "test \$(tasks_in_state $thr CD | wc -l) -eq 10" 20 &&
	queue_empty &&
	test $(wc -l <thr/seen) -eq 20 &&
	awk "\$2 > 2 { print \"overlap:\", \$0; bad = 1 } END { exit bad }" thr/seen >&4 &&
	awk "\$2 == 2 { two = 1 } END { exit !two }" thr/seen &&
	cut -d" " -f1 thr/seen | sort -n | uniq -c | awk "\$1 != 2 { exit 1 }"
'

test_expect_success MUNGE 'the %A_%a pattern made one output file per task with its own text' '
	ls thr/out-* | sort >files &&
	test $(wc -l <files) -eq 10 &&
	for t in 1 2 3 4 5 6 7 8 9 10; do
		echo "task $t of $thr" >expect &&
		test_cmp expect thr/out-${thr}_$t.txt || return 1
	done
'

test_expect_success MUNGE 'every task of the throttled array COMPLETED' '
	for t in 1 2 3 4 5 6 7 8 9 10; do
		echo "${thr}_$t COMPLETED" || return 1
	done >expect &&
	lvqueue -h -t all -j $thr -o "%i %T" | sort -t_ -k2 -n >actual &&
	test_cmp expect actual
'

test_expect_success MUNGE '--array=1-10:2 runs tasks 1, 3, 5, 7 and 9' '
	mkdir -p step &&
	id=$(lvbatch --parsable --array=1-10:2 -o "step/%a" --wrap "echo \$LV_ARRAY_TASK_ID") &&
	lv_wait_for "test \$(tasks_in_state $id CD | wc -l) -eq 5" 10 &&
	(cd step && ls) | sort -n >actual &&
	printf "1\n3\n5\n7\n9\n" >expect &&
	test_cmp expect actual &&
	for t in 1 3 5 7 9; do
		echo $t >expect && test_cmp expect step/$t || return 1
	done
'

test_expect_success MUNGE '--array=1,3,5 runs exactly those tasks' '
	mkdir -p list &&
	id=$(lvbatch --parsable --array=1,3,5 -o "list/%a" --wrap "echo \$LV_ARRAY_TASK_ID") &&
	lv_wait_for "test \$(tasks_in_state $id CD | wc -l) -eq 3" 10 &&
	(cd list && ls) | sort -n >actual &&
	printf "1\n3\n5\n" >expect &&
	test_cmp expect actual
'

test_expect_success MUNGE 'a held array shows as one N_[...] line' '
	mkdir -p pids &&
	held=$(lvbatch --parsable -H --array=1-10 -o /dev/null --wrap "echo \$\$ >$TRASH/pids/\$LV_ARRAY_TASK_ID; exec sleep 300") &&
	lvqueue >out &&
	cat >expect <<-EOF &&
	             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)
	$(printf "%18s" "${held}_[1-10]")     debug     wrap     root PD       0:00      1 (JobHeldUser)
	EOF
	test_cmp expect out &&
	lid=$(lvbatch --parsable -H --array=1,3,5 -o /dev/null --wrap true) &&
	test "$(pending_row $lid)" = "${lid}_[1,3,5] PENDING JobHeldUser" &&
	lvcancel $lid &&
	test "$(pending_row $lid)" = ""
'

test_expect_success MUNGE 'lvqueue -j N_T finds a pending task' '
	test "$(lvqueue -h -j ${held}_4 -o %i)" = "${held}_[1-10]" &&
	test -z "$(lvqueue -h -j ${held}_11 -o %i)"
'

test_expect_success MUNGE 'lvcancel N_3 cancels one pending task' '
	lvcancel ${held}_3 2>err &&
	test_must_be_empty err &&
	test "$(pending_row $held)" = "${held}_[1-2,4-10] PENDING JobHeldUser"
'

test_expect_success MUNGE 'lvcancel N_[5-7] cancels a range of pending tasks' '
	lvcancel "${held}_[5-7]" 2>err &&
	test_must_be_empty err &&
	test "$(pending_row $held)" = "${held}_[1-2,4,8-10] PENDING JobHeldUser"
'

test_expect_success MUNGE 'released, the remaining 6 tasks run' '
	lvcontrol release $held &&
	lv_wait_for "test \$(tasks_in_state $held R | wc -l) -eq 6 && test \$(ls pids | wc -l) -eq 6" 10 &&
	(cd pids && ls) | sort -n | tr "\n" " " >actual &&
	test "$(cat actual)" = "1 2 4 8 9 10 " &&
	tasks_in_state $held R | sed "s/^${held}_//" | tr "\n" " " >actual &&
	test "$(cat actual)" = "1 2 4 8 9 10 "
'

test_expect_success MUNGE 'lvcancel N cancels the rest, running tasks included' '
	lvcancel $held 2>err &&
	test_must_be_empty err &&
	lv_wait_for "queue_empty" $((KILLWAIT + 3)) &&
	test $(tasks_in_state $held CA | wc -l) -eq 6 &&
	test $(tasks_in_state $held R | wc -l) -eq 0 &&
	for f in pids/*; do
		lv_wait_for "! lv_pid_alive $(cat $f)" 2 || return 1
	done
'

test_expect_success MUNGE 'lvcancel N of a partly started array cancels running and pending tasks' '
	id=$(lvbatch --parsable --array=1-20 -o /dev/null --wrap "sleep 300") &&
	lv_wait_for "test \$(tasks_in_state $id R | wc -l) -eq 8" 10 &&
	test "$(pending_row $id)" = "${id}_[9-20] PENDING Resources" &&
	lvcancel $id &&
	lv_wait_for "queue_empty" $((KILLWAIT + 3)) &&
	test $(tasks_in_state $id CA | wc -l) -eq 8 &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *4 *idle n\[1-4\]$" out
'

# BUG: Slurm gives the first task the array's own job id (job_array.html:
# "SLURM_ARRAY_JOB_ID will be set to the first job ID of the array"; in
# its example task 1 of array 36 has SLURM_JOB_ID=36).  lvctld keeps the
# array's id for the record of pending tasks and gives every task a new
# id (src/sched/sched.c split_task), so no task has LV_JOB_ID equal to
# LV_ARRAY_JOB_ID and "%j" of task 1 differs from "%A".
test_expect_failure MUNGE 'the first task of an array has the array'"'"'s job id' '
	id=$(lvbatch --parsable --array=1-2 -o "first-%j-%A_%a.out" --wrap "echo \$LV_JOB_ID") &&
	lv_wait_for "test \$(tasks_in_state $id CD | wc -l) -eq 2" 10 &&
	test_path_is_file first-$id-${id}_1.out &&
	echo $id >expect &&
	test_cmp expect first-$id-${id}_1.out
'

test_done
