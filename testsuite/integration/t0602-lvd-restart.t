#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvd restart: batch jobs outlive their lvd (SIGTERM or SIGKILL) under a per-job supervisor, the new lvd adopts them, reports the ones that ended meanwhile, and kills the ones the controller has ended'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

TIMEOUT=2

lvd_pid() {
	cat "$CLUSTER/nodes/n1/lvd.pid" 2>/dev/null
}

LVD_LOG() {
	echo "$CLUSTER/nodes/n1/lvd.log"
}

# node_state: n1's state as "lvinfo -N" prints it.
node_state() {
	lvinfo -N -h -n n1 | awk '$1 == "n1" { print $4 }'
}

# stop_lvd SIGNAL: stops n1's lvd and waits until it is gone.
stop_lvd() {
	local pid
	pid=$(lvd_pid) &&
	kill -"$1" "$pid" &&
	lv_wait_for "! lv_pid_alive $pid" 10
}

# start_lvd: a new lvd for n1, registered with the controller.
start_lvd() {
	local before
	before=$(grep -c "registered with the controller" "$(LVD_LOG)")
	lvd -f "$LV_CONF" -N n1 &&
	lv_wait_for "test \$(grep -c 'registered with the controller' $(LVD_LOG)) -gt $before" 10
}

# submit ARGS...: submits a job and prints its id.
submit() {
	lvbatch "$@" | sed -n "s/^Submitted batch job //p"
}

test_expect_success MUNGE 'start a 1-node cluster' '
	lv_cluster_up 1 --timeout $TIMEOUT
'

test_expect_success MUNGE 'a running job survives SIGTERM of its lvd and is adopted' '
	id=$(submit -o "$PWD/a.out" --wrap="echo \$\$ >$PWD/a.pid; sleep 4; echo done") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file a.pid) &&
	stop_lvd TERM &&
	lv_pid_alive $pid &&
	start_lvd &&
	test_grep "job: job=$id on n1 adopted" "$(LVD_LOG)" &&
	state_is $id RUNNING &&
	wait_state $id COMPLETED 15 &&
	test_grep "^done$" a.out
'

test_expect_success MUNGE 'a running job survives SIGKILL of its lvd and is adopted' '
	id=$(submit -o "$PWD/b.out" --wrap="echo \$\$ >$PWD/b.pid; sleep 4; echo done") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file b.pid) &&
	stop_lvd KILL &&
	lv_pid_alive $pid &&
	start_lvd &&
	test_grep "job: job=$id on n1 adopted" "$(LVD_LOG)" &&
	wait_state $id COMPLETED 15 &&
	test_grep "^done$" b.out
'

test_expect_success MUNGE 'a job that ends while lvd is down is reported COMPLETED' '
	id=$(submit -o "$PWD/c.out" --wrap="echo \$\$ >$PWD/c.pid; sleep 1; echo done") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file c.pid) &&
	stop_lvd TERM &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	lv_wait_for "test -e \"$CLUSTER/nodes/n1/job.$id/status\"" 5 &&
	state_is $id RUNNING &&
	start_lvd &&
	wait_state $id COMPLETED 10 &&
	test_grep "job: job=$id on n1 ended while lvd was away" "$(LVD_LOG)" &&
	test_grep "^done$" c.out &&
	lv_wait_for "test ! -e \"$CLUSTER/nodes/n1/job.$id\"" 5
'

test_expect_success MUNGE 'lvcancel of an adopted job works' '
	id=$(submit -o /dev/null --wrap="echo \$\$ >$PWD/d.pid; sleep 300") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file d.pid) &&
	stop_lvd TERM &&
	start_lvd &&
	test_grep "job: job=$id on n1 adopted" "$(LVD_LOG)" &&
	lvcancel $id &&
	wait_state $id CANCELLED 10 &&
	lv_wait_for "! lv_pid_alive $pid" 10
'

test_expect_success MUNGE 'a node that returns with a job the controller ended kills it' '
	id=$(submit --no-requeue -o /dev/null --wrap="echo \$\$ >$PWD/e.pid; sleep 300") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file e.pid) &&
	lvd=$(lvd_pid) &&
	test_when_finished "kill -CONT $lvd" &&
	kill -STOP $lvd &&
	wait_state $id NODE_FAIL 20 &&
	lv_pid_alive $pid &&
	kill -CONT $lvd &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	test_grep "job: job=$id is not running according to the controller, killing it" "$(LVD_LOG)" &&
	state_is $id NODE_FAIL &&
	lv_wait_for "test ! -e \"$CLUSTER/nodes/n1/job.$id\"" 5
'

test_expect_success MUNGE 'a launch lost with its lvd (stopped, then SIGKILL) is queued again and runs' '
	lvd=$(lvd_pid) &&
	test_when_finished "kill -CONT $lvd 2>/dev/null || :" &&
	kill -STOP $lvd &&
	id=$(submit -o "$PWD/f.out" --wrap="echo done") &&
	wait_state $id RUNNING &&
	kill -KILL $lvd &&
	lv_wait_for "! lv_pid_alive $lvd" 10 &&
	start_lvd &&
	wait_state $id COMPLETED 15 &&
	test_grep "^done$" f.out &&
	test_grep "job: job=$id never reached n1; requeued" "$CLUSTER/lvctld.log" &&
	! test_grep "job=$id launch on n1 failed" "$CLUSTER/lvctld.log"
'

# The issue's crash test for lvd: kill -9 the node daemon again and again
# under running jobs; every job still ends COMPLETED with all its output.
ROUNDS=${LV_CRASH_ROUNDS:-4}
test_expect_success MUNGE "lvd killed with SIGKILL $ROUNDS times under running jobs: every job completes" '
	: >storm.ids &&
	for r in $(seq 1 $ROUNDS); do
		for j in 1 2 3; do
			submit -o "$PWD/storm-%j.out" --wrap="sleep 0.$((RANDOM % 9 + 1)); sleep 1; echo done" >>storm.ids || return 1
		done &&
		sleep 0.$((RANDOM % 9 + 1)) &&
		stop_lvd KILL &&
		start_lvd || return 1
	done &&
	test $(wc -l <storm.ids) -eq $((ROUNDS * 3)) &&
	for id in $(cat storm.ids); do
		wait_state $id COMPLETED 30 || { lvcontrol show job $id >&4; return 1; }
		test_grep "^done$" storm-$id.out || return 1
	done
'

test_expect_success MUNGE 'the node is idle again, with nothing left behind' '
	lv_wait_for "test \"\$(node_state)\" = idle" 10 &&
	queue_empty &&
	! ls -d "$CLUSTER"/nodes/n1/job.* 2>/dev/null
'

test_done
