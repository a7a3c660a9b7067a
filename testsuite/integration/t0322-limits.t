#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='limits: QOS per-user limits and MaxWall, partition MaxTime, MaxNodes, AllowAccounts; each pending reason names its limit, submissions are refused with Slurm'"'"'s messages'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

reason_is() {
	test "$(job_field "$1" %r)" = "$2"
}

# wait_reason ID REASON: the pending job shows REASON within 10 s.
wait_reason() {
	lv_wait_for "reason_is $1 $2" 10 || {
		lvcontrol show job "$1" >&4
		return 1
	}
}

test_expect_success MUNGE 'four nodes of 2 CPUs, QOS and partitions with limits' '
	lv_cluster_up 4 --cpus 2 \
		--extra "QOS=normal" \
		--extra "QOS=two MaxJobsPerUser=1 MaxSubmitJobsPerUser=3" \
		--extra "QOS=cpus MaxTRESPerUser=cpu=3" \
		--extra "QOS=nodes MaxTRESPerUser=node=1" \
		--extra "QOS=short MaxWall=5" \
		--extra "AccountName=physics Users=root" \
		--extra "AccountName=chem Users=root" \
		--extra "PartitionName=small Nodes=n[1-2] MaxTime=10 MaxNodes=1 AllowAccounts=physics" \
		--extra "PartitionName=staff Nodes=n[3-4] AllowGroups=lv-no-such-group" \
		--extra "PartitionName=roots Nodes=n[3-4] AllowGroups=$(id -gn)"
'

test_expect_success MUNGE 'MaxJobsPerUser: the second job waits with QOSMaxJobsPerUserLimit' '
	a=$(lvbatch --parsable --qos=two -o /dev/null --wrap "sleep 600") &&
	wait_state $a RUNNING &&
	b=$(lvbatch --parsable --qos=two -o /dev/null --wrap "sleep 600") &&
	wait_reason $b QOSMaxJobsPerUserLimit
'

test_expect_success MUNGE 'MaxSubmitJobsPerUser: the fourth submission is refused' '
	c=$(lvbatch --parsable --qos=two -o /dev/null --wrap "sleep 600") &&
	test_must_fail lvbatch --qos=two -o /dev/null --wrap true 2>err &&
	test_grep "Job violates accounting/QOS policy (job submit limit, user'"'"'s size and/or time limits)" err
'

test_expect_success MUNGE 'when the running job ends the next one starts' '
	lvcancel $a &&
	wait_state $b RUNNING &&
	wait_reason $c QOSMaxJobsPerUserLimit &&
	lvcancel $b $c
'

test_expect_success MUNGE 'MaxTRESPerUser=cpu: QOSMaxCpuPerUserLimit' '
	a=$(lvbatch --parsable --qos=cpus -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $a RUNNING &&
	b=$(lvbatch --parsable --qos=cpus -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_reason $b QOSMaxCpuPerUserLimit &&
	small=$(lvbatch --parsable --qos=cpus -n 1 -o /dev/null --wrap "sleep 600") &&
	wait_state $small RUNNING &&
	lvcancel $a $b $small
'

test_expect_success MUNGE 'MaxTRESPerUser=node: QOSMaxNodePerUserLimit' '
	a=$(lvbatch --parsable --qos=nodes -N 2 -o /dev/null --wrap "sleep 600") &&
	wait_reason $a QOSMaxNodePerUserLimit &&
	lvcancel $a
'

test_expect_success MUNGE 'MaxWall: QOSMaxWallDurationPerJobLimit until the limit is lowered' '
	a=$(lvbatch --parsable --qos=short -t 10 -o /dev/null --wrap "sleep 600") &&
	wait_reason $a QOSMaxWallDurationPerJobLimit &&
	lvcontrol update JobId=$a TimeLimit=5 &&
	wait_state $a RUNNING &&
	lvcancel $a
'

test_expect_success MUNGE 'partition MaxTime and MaxNodes refuse submissions' '
	test_must_fail lvbatch -p small -t 20 -o /dev/null --wrap true 2>err &&
	test_grep "Requested time limit is invalid" err &&
	test_must_fail lvbatch -p small -N 2 -o /dev/null --wrap true 2>err &&
	test_grep "Node count specification invalid" err
'

test_expect_success MUNGE 'AllowAccounts: another account is refused at submission' '
	test_must_fail lvbatch -p small -A chem -o /dev/null --wrap true 2>err &&
	test_grep "Job'"'"'s account not permitted to use this partition" err
'

test_expect_success MUNGE 'AllowGroups: a user outside the groups is refused, a member is not' '
	test_must_fail lvbatch -p staff -o /dev/null --wrap true 2>err &&
	test_grep "User'"'"'s group not permitted to use this partition" err &&
	j=$(lvbatch --parsable -p roots -o /dev/null --wrap true) &&
	wait_done $j
'

test_expect_success MUNGE 'PartitionTimeLimit and PartitionNodeLimit after an administrator raises a job past them' '
	a=$(lvbatch --parsable -p small -H -t 5 -o /dev/null --wrap "sleep 600") &&
	lvcontrol update JobId=$a TimeLimit=30 &&
	lvcontrol release $a &&
	wait_reason $a PartitionTimeLimit &&
	lvcontrol update JobId=$a TimeLimit=5 NumNodes=2 &&
	wait_reason $a PartitionNodeLimit &&
	lvcontrol update JobId=$a NumNodes=1 &&
	wait_state $a RUNNING &&
	lvcancel $a
'

test_expect_success MUNGE 'AccountNotAllowed when the account moves to a partition that refuses it' '
	a=$(lvbatch --parsable -A chem -H -o /dev/null --wrap "sleep 600") &&
	lvcontrol update JobId=$a Partition=small &&
	lvcontrol release $a &&
	wait_reason $a AccountNotAllowed &&
	lvcancel $a &&
	lv_wait_for queue_empty 20
'

test_done
