#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='job dependencies: after, afterok, afternotok, afterany, singleton, ? and , lists, arrays'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# state_reason ID: "STATE REASON".
state_reason() {
	job_field "$1" "%T %r"
}

# A parent that waits for the file "go" (so the test decides when it
# ends), then exits with CODE.
parent() {
	lvbatch --parsable -o /dev/null -J parent \
		--wrap "while [ ! -e $TRASH/go.$1 ]; do sleep 0.1; done; exit $2"
}

test_expect_success MUNGE 'start a 4-node cluster with 2 CPUs a node' '
	lv_cluster_up 4 --cpus 2
'

test_expect_success MUNGE 'afterok: the child waits while the parent runs' '
	p=$(parent ok 0) &&
	wait_state $p RUNNING &&
	c=$(lvbatch --parsable -o /dev/null -d afterok:$p --wrap true) &&
	sleep 0.5 &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	test "$(job_field $c %E)" = "afterok:$p" &&
	lvcontrol show job $c >show &&
	test_grep "^   Priority=[0-9]* JobState=PENDING Reason=Dependency Dependency=afterok:$p$" show
'

test_expect_success MUNGE 'afterok: the child runs once the parent succeeded' '
	touch go.ok &&
	wait_state $p COMPLETED &&
	wait_state $c COMPLETED &&
	test $(job_field $c %S | tr -d "T:-") -ge $(job_field $p %e | tr -d "T:-")
'

test_expect_success MUNGE 'afterok on a failed parent: DependencyNeverSatisfied, never runs' '
	p=$(parent fail 1) &&
	c=$(lvbatch --parsable -o /dev/null -d afterok:$p --wrap true) &&
	touch go.fail &&
	wait_state $p FAILED &&
	lv_wait_for "test \"\$(state_reason $c)\" = \"PENDING DependencyNeverSatisfied\"" 5 &&
	sleep 1 &&
	test "$(state_reason $c)" = "PENDING DependencyNeverSatisfied" &&
	lvqueue -h -j $c >out &&
	test_grep "(DependencyNeverSatisfied)$" out &&
	lvcancel $c &&
	test "$(job_field $c %T)" = CANCELLED
'

test_expect_success MUNGE 'afternotok runs after a failure and never after a success' '
	pf=$(parent nf 2) &&
	ps=$(parent ns 0) &&
	cf=$(lvbatch --parsable -o /dev/null -d afternotok:$pf --wrap true) &&
	cs=$(lvbatch --parsable -o /dev/null -d afternotok:$ps --wrap true) &&
	sleep 0.5 &&
	test "$(state_reason $cf)" = "PENDING Dependency" &&
	touch go.nf go.ns &&
	wait_state $cf COMPLETED &&
	lv_wait_for "test \"\$(state_reason $cs)\" = \"PENDING DependencyNeverSatisfied\"" 5 &&
	lvcancel $cs
'

test_expect_success MUNGE 'afterany runs after a success and after a failure' '
	p1=$(parent any1 0) &&
	p2=$(parent any2 5) &&
	c=$(lvbatch --parsable -o /dev/null -d afterany:$p1:$p2 --wrap true) &&
	touch go.any1 &&
	wait_state $p1 COMPLETED &&
	sleep 0.5 &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	touch go.any2 &&
	wait_state $p2 FAILED &&
	wait_state $c COMPLETED
'

test_expect_success MUNGE 'afterany runs after a cancelled parent' '
	p=$(parent never 0) &&
	c=$(lvbatch --parsable -o /dev/null -d afterany:$p --wrap true) &&
	wait_state $p RUNNING &&
	lvcancel $p &&
	wait_state $p CANCELLED &&
	wait_state $c COMPLETED
'

test_expect_success MUNGE 'after: the child starts once the parent has started' '
	h=$(lvbatch --parsable -H -o /dev/null --wrap "sleep 300") &&
	c=$(lvbatch --parsable -o /dev/null -d after:$h --wrap true) &&
	sleep 0.5 &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	rm -f go.after &&
	p=$(parent after 0) &&
	c2=$(lvbatch --parsable -o /dev/null -d after:$p --wrap true) &&
	wait_state $c2 COMPLETED &&
	test "$(job_field $p %T)" = RUNNING &&
	touch go.after &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	lvcancel $h $c
'

test_expect_success MUNGE 'singleton: two jobs with the same name never overlap' '
	cat >single.sh <<-EOF &&
	#!/bin/sh
	#SBATCH -J lonely -d singleton -o /dev/null
	mkdir $TRASH/single.lock || echo "overlap: \$LV_JOB_ID" >>$TRASH/single.bad
	echo "start \$LV_JOB_ID" >>$TRASH/single.log
	sleep 1
	echo "end \$LV_JOB_ID" >>$TRASH/single.log
	rmdir $TRASH/single.lock
	EOF
	s1=$(lvbatch --parsable single.sh) &&
	s2=$(lvbatch --parsable single.sh) &&
	other=$(lvbatch --parsable -J other -d singleton -o /dev/null --wrap true) &&
	wait_state $s1 RUNNING &&
	test "$(state_reason $s2)" = "PENDING Dependency" &&
	wait_state $other COMPLETED &&
	wait_state $s2 COMPLETED 10 &&
	test "$(job_field $s1 %T)" = COMPLETED &&
	test_path_is_missing single.bad &&
	printf "start %s\nend %s\nstart %s\nend %s\n" $s1 $s1 $s2 $s2 >expect &&
	test_cmp expect single.log
'

test_expect_success MUNGE '"?": one satisfied dependency is enough' '
	pf=$(parent q1 1) &&
	pk=$(parent q2 0) &&
	c=$(lvbatch --parsable -o /dev/null -d "afterok:$pf?afterok:$pk" --wrap true) &&
	touch go.q1 &&
	wait_state $pf FAILED &&
	sleep 0.5 &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	touch go.q2 &&
	wait_state $c COMPLETED
'

test_expect_success MUNGE '"?": never satisfied when every item fails' '
	pa=$(parent qa 1) &&
	pb=$(parent qb 1) &&
	c=$(lvbatch --parsable -o /dev/null -d "afterok:$pa?afterok:$pb" --wrap true) &&
	touch go.qa go.qb &&
	lv_wait_for "test \"\$(state_reason $c)\" = \"PENDING DependencyNeverSatisfied\"" 5 &&
	lvcancel $c
'

test_expect_success MUNGE '",": every item must hold' '
	pok=$(parent c1 0) &&
	pko=$(parent c2 3) &&
	good=$(lvbatch --parsable -o /dev/null -d "afterok:$pok,afternotok:$pko" --wrap true) &&
	bad=$(lvbatch --parsable -o /dev/null -d "afterok:$pok,afterok:$pko" --wrap true) &&
	touch go.c1 &&
	wait_state $pok COMPLETED &&
	sleep 0.5 &&
	test "$(state_reason $good)" = "PENDING Dependency" &&
	test "$(state_reason $bad)" = "PENDING Dependency" &&
	touch go.c2 &&
	wait_state $good COMPLETED &&
	lv_wait_for "test \"\$(state_reason $bad)\" = \"PENDING DependencyNeverSatisfied\"" 5 &&
	lvcancel $bad
'

test_expect_success MUNGE 'afterok on an array waits for every task' '
	arr=$(lvbatch --parsable --array=1-3 -o /dev/null \
		--wrap "while [ ! -e $TRASH/go.arr.\$LV_ARRAY_TASK_ID ]; do sleep 0.1; done") &&
	c=$(lvbatch --parsable -o /dev/null -d afterok:$arr --wrap true) &&
	lv_wait_for "test \$(lvqueue -h -t R -j $arr | wc -l) -eq 3" 10 &&
	touch go.arr.1 go.arr.2 &&
	lv_wait_for "test \$(lvqueue -h -t CD -j $arr | wc -l) -eq 2" 10 &&
	sleep 0.5 &&
	test "$(state_reason $c)" = "PENDING Dependency" &&
	touch go.arr.3 &&
	wait_state $c COMPLETED
'

test_expect_success MUNGE 'afterok on an array with a failed task is never satisfied' '
	arr=$(lvbatch --parsable --array=1-3 -o /dev/null --wrap "exit \$((LV_ARRAY_TASK_ID == 2))") &&
	c=$(lvbatch --parsable -o /dev/null -d afterok:$arr --wrap true) &&
	a=$(lvbatch --parsable -o /dev/null -d afterany:$arr --wrap true) &&
	wait_state $a COMPLETED &&
	lv_wait_for "test \"\$(state_reason $c)\" = \"PENDING DependencyNeverSatisfied\"" 5 &&
	lvcancel $c
'

# Regression (was a bug, fixed): a dependency on one array task ("afterok:ID_TASK", as sbatch and
# job_array.html document) passes lvbatch's own check but lvctld refuses
# it: "Invalid job id in dependency" (src/sched/depend.c parse_clause
# stops at the "_").
test_expect_success MUNGE 'a dependency on a single array task (afterok:N_T)' '
	arr=$(lvbatch --parsable --array=1-2 -o /dev/null \
		--wrap "[ \$LV_ARRAY_TASK_ID = 1 ] || while [ ! -e $TRASH/go.task ]; do sleep 0.1; done") &&
	c=$(lvbatch --parsable -o /dev/null -d afterok:${arr}_1 --wrap true) &&
	wait_state $c COMPLETED &&
	test "$(lvqueue -h -j ${arr}_2 -o %T)" = RUNNING &&
	touch go.task
'

test_expect_success MUNGE 'clean up' '
	touch go.task &&
	lvcancel -u root 2>/dev/null
	lv_wait_for "test -z \"\$(lvqueue -h)\"" 10
'

test_done
