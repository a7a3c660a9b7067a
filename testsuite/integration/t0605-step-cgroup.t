#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='step cgroups: each lvrun step runs in job_<id>/step_<n> memory, cpuacct and cpuset groups, removed at its end; its MaxRSS and TotalCPU come from them; a step task over the memory ends the step OUT_OF_MEMORY'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

test_have_prereq ROOT && test -d /sys/fs/cgroup/memory &&
	test -d /sys/fs/cgroup/cpuacct && test -d /sys/fs/cgroup/cpuset &&
	mkdir -p /sys/fs/cgroup/memory/leviathan /sys/fs/cgroup/cpuacct/leviathan \
		/sys/fs/cgroup/cpuset/leviathan 2>/dev/null &&
	test_set_prereq CGROUP

submit() {
	lvbatch --parsable "$@"
}

acct_step() {
	lvacct -n -P -j "$1" -o JobID,State,MaxRSS,TotalCPU | grep "^$1\.$2|"
}

lvd_port() {
	sed -n "s/.*serving .* port \([0-9]*\),.*/\1/p" "$CLUSTER/nodes/n1/lvd.log" | tail -n 1
}

# no_job_groups: n1 has no job groups left in any controller.
no_job_groups() {
	! ls -d /sys/fs/cgroup/{memory,cpuacct,cpuset}/leviathan/n1@$(lvd_port)/job_* 2>/dev/null
}

# kb SIZE: sacct's "51200K", "50.00M"... in KiB.
kb() {
	case $1 in
	*K) echo "${1%K}" ;;
	*M) echo "${1%M} * 1024" | bc ;;
	*G) echo "${1%G} * 1048576" | bc ;;
	*) echo 0 ;;
	esac
}

test_expect_success MUNGE,CGROUP 'start a 1-node cluster with 2 CPUs' '
	lv_cluster_up 1 --cpus 2 --extra KillWait=2
'

test_expect_success MUNGE,CGROUP 'a step of a batch job runs in job_<id>/step_0 groups with the job'"'"'s CPUs; they go with the step' '
	cat >job.sh <<-EOF &&
	#!/bin/sh
	lvrun -n 1 sh -c "cat /proc/self/cgroup; grep Cpus_allowed_list /proc/self/status"
	ls -d /sys/fs/cgroup/memory/leviathan/n1@$(lvd_port)/job_\$LV_JOB_ID/step_* 2>/dev/null | wc -l
	EOF
	id=$(submit -n 1 -o "$PWD/step.out" job.sh) &&
	wait_done $id &&
	cat step.out >&4 &&
	test_grep "^[0-9]*:memory:/leviathan/n1@$(lvd_port)/job_$id/step_0\$" step.out &&
	test_grep "^[0-9]*:cpuset:/leviathan/n1@$(lvd_port)/job_$id/step_0\$" step.out &&
	ids=$(lvcontrol show job $id | sed -n "s/.* CPU_IDs=\([^ ]*\) .*/\1/p") &&
	test "$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" step.out)" = "$(hwloc-calc --physical-output -I pu "pu:$ids")" &&
	test "$(tail -n 1 step.out)" = 0 &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'a step outside a job (its own allocation) makes and removes the job groups too' '
	lvrun -n 1 cat /proc/self/cgroup >own.out &&
	test_grep ":memory:/leviathan/n1@$(lvd_port)/job_[0-9]*/step_0\$" own.out &&
	lv_wait_for no_job_groups 10
'

# The memory is held by a process the task never waits for: wait4 of the
# task cannot see it, only the step's cgroup can.
test_expect_success MUNGE,CGROUP 'step MaxRSS and TotalCPU come from the step cgroup (an unwaited child counts)' '
	cat >rss.sh <<-EOF &&
	#!/bin/sh
	lvrun -n 1 sh -c "(x=\\\$(head -c 50000000 /dev/zero | tr \"\\\\\\\\0\" a); echo \\\${#x} >$PWD/rss.len; sleep 30) >/dev/null 2>&1 & while ! test -s $PWD/rss.len; do sleep 0.1; done"
	EOF
	cat rss.sh >&4 &&
	id=$(submit -n 1 --mem=300M -o "$PWD/rss.out" rss.sh) &&
	wait_done $id &&
	cat rss.out >&4 &&
	test "$(cat rss.len)" = 50000000 &&
	lv_wait_for "acct_step $id 0 >/dev/null" 10 &&
	acct_step $id 0 >&4 &&
	rss=$(acct_step $id 0 | cut -d"|" -f3) &&
	test "$(kb "$rss" | cut -d. -f1)" -ge 40960 &&
	test "$(acct_step $id 0 | cut -d"|" -f4)" != "00:00.000" &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'a step task over the job'"'"'s memory ends the step OUT_OF_MEMORY' '
	cat >oom.sh <<-EOF &&
	#!/bin/sh
	lvrun -n 1 sh -c "x=\\\$(head -c 200000000 /dev/zero | tr \"\\\\\\\\0\" a); echo \\\${#x}"
	echo "lvrun exit \$?"
	EOF
	id=$(submit -n 1 --mem=64M -o "$PWD/oom.out" oom.sh) &&
	lv_wait_for "job_field $id %T | grep -v -e PENDING -e RUNNING -e COMPLETING" 30 &&
	cat oom.out >&4 &&
	test_grep "^lvrun: error: Detected 1 oom-kill event(s) in StepId=$id.0. Some of the step tasks have been OOM Killed.$" oom.out &&
	lv_wait_for "acct_step $id 0 >/dev/null" 10 &&
	test "$(acct_step $id 0 | cut -d"|" -f2)" = OUT_OF_MEMORY &&
	lv_wait_for no_job_groups 10
'

# Reports wait for nothing: a failed task is known at once, so -K ends
# the step long before its sleeping neighbour would.
test_expect_success MUNGE,CGROUP 'with step cgroups a failing task still ends the step at once (-K)' '
	{ lvrun -n 2 -K sh -c "[ \$LV_PROCID = 1 ] && exit 3; echo \$\$ >$PWD/k.pid; exec sleep 300" 2>k.err; rc=$?; } &&
	cat k.err >&4 &&
	test $rc -ne 0 &&
	test_grep "task 1: Exited with exit code 3" k.err &&
	! lv_pid_alive "$(cat k.pid)" &&
	lv_wait_for no_job_groups 10
'

test_done
