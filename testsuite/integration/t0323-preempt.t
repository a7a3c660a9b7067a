#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='preemption: a job of a higher PriorityTier partition requeues (or cancels, by QOS PreemptMode) a lower one that holds its node; preempt/qos after a reconfigure'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

test_expect_success MUNGE 'one node of 2 CPUs in a low and a high tier partition' '
	lv_cluster_up 1 --cpus 2 \
		--extra "PreemptType=preempt/partition_prio PreemptMode=REQUEUE PriorityWeightQOS=1000" \
		--extra "QOS=normal" \
		--extra "QOS=scav PreemptMode=CANCEL" \
		--extra "QOS=high Priority=10 Preempt=normal,scav" \
		--extra "PartitionName=low Nodes=n1 PriorityTier=1" \
		--extra "PartitionName=high Nodes=n1 PriorityTier=10"
'

test_expect_success MUNGE 'a job of the same tier waits for the running one' '
	victim=$(lvbatch --parsable -J victim -p low -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $victim RUNNING &&
	same=$(lvbatch --parsable -J same -p low -n 2 -o /dev/null --wrap "sleep 600") &&
	lv_wait_for "test \"\$(job_field $same %r)\" = Resources" 10 &&
	state_is $victim RUNNING &&
	lvcancel $same
'

test_expect_success MUNGE 'a high tier job requeues the low one (PreemptMode=REQUEUE)' '
	hi=$(lvbatch --parsable -J hi -p high -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $hi RUNNING 20 &&
	wait_state $victim PENDING &&
	lvcontrol show job $victim >show &&
	test_grep "Restarts=1" show &&
	test_grep "preempt: job=$victim requeued for job=$hi" "$CLUSTER/lvctld.log"
'

test_expect_success MUNGE 'the requeued job runs again once the high one is gone' '
	lvcancel $hi &&
	wait_state $victim RUNNING 20 &&
	lvcancel $victim &&
	lv_wait_for queue_empty 20
'

test_expect_success MUNGE 'a victim whose QOS says PreemptMode=CANCEL is cancelled' '
	scav=$(lvbatch --parsable -J scav -p low --qos=scav -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $scav RUNNING &&
	hi=$(lvbatch --parsable -J hi -p high -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $hi RUNNING 20 &&
	wait_state $scav CANCELLED &&
	test_grep "preempt: job=$scav cancelled for job=$hi" "$CLUSTER/lvctld.log" &&
	lvcancel $hi &&
	lv_wait_for queue_empty 20
'

test_expect_success MUNGE 'preempt/qos: a high QOS job requeues a normal one in the same partition, once' '
	sed -i "s|^PreemptType=preempt/partition_prio|PreemptType=preempt/qos|" "$LV_CONF" &&
	lvcontrol reconfigure &&
	norm=$(lvbatch --parsable -J norm -p low -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $norm RUNNING &&
	other=$(lvbatch --parsable -J other -p high -n 2 -o /dev/null --wrap "sleep 600") &&
	lv_wait_for "test \"\$(job_field $other %r)\" = Resources" 10 &&
	state_is $norm RUNNING &&
	lvcancel $other &&
	q=$(lvbatch --parsable -J q -p low --qos=high -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $q RUNNING 20 &&
	wait_state $norm PENDING &&
	test_grep "preempt: job=$norm requeued for job=$q" "$CLUSTER/lvctld.log" &&
	test $(grep -c "preempt: job=$norm requeued" "$CLUSTER/lvctld.log") -eq 1 &&
	state_is $q RUNNING &&
	lvcancel $q $norm &&
	lv_wait_for queue_empty 20
'

test_done
