#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='multifactor priority: QOS, partition, nice and admin priority order the queue; lvprio shows the factors; fair share by account from usage; lvshare'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# prio ID: a pending job's priority from lvprio.
prio() {
	lvprio -h -j "$1" | awk "{print \$3}"
}

# The order jobs start in on a one-CPU node: the first job runs, and
# each cancellation lets the next one start.
test_expect_success MUNGE 'one node of one CPU, weights, QOS, accounts' '
	lv_cluster_up 1 --cpus 1 \
		--extra "PriorityWeightQOS=1000 PriorityWeightPartition=500 PriorityWeightFairshare=10000 PriorityWeightAge=0 PriorityWeightJobSize=0 PriorityDecayHalfLife=1-0 PriorityCalcPeriod=0" \
		--extra "QOS=normal Priority=0" \
		--extra "QOS=high Priority=100" \
		--extra "AccountName=physics Fairshare=30 Users=root,nobody" \
		--extra "AccountName=chem Fairshare=10 Users=root" \
		--extra "PartitionName=hot Nodes=n1 PriorityJobFactor=10"
'

test_expect_success MUNGE 'usage lowers an account'"'"'s fair-share factor; lvshare shows it' '
	lvshare >out &&
	test_grep "^root " out &&
	test_grep "^ physics  *30 " out &&
	test_grep "^ chem  *10 " out &&
	j=$(lvbatch --parsable -A chem -o /dev/null --wrap "sleep 3") &&
	wait_done $j &&
	lvshare -a -A chem >out &&
	test_grep "^  chem  *root  *1 " out &&
	lvshare -u nobody >out &&
	test_grep "^  physics  *nobody " out &&
	test_grep -v " root " out &&
	awk "/^  chem  *root/ {exit !(\$5 >= 2)}" out &&
	hold=$(lvbatch --parsable -J blocker -o /dev/null --wrap "sleep 600") &&
	wait_state $hold RUNNING &&
	p=$(lvbatch --parsable -A physics -o /dev/null --wrap true) &&
	c=$(lvbatch --parsable -A chem -o /dev/null --wrap true) &&
	lvprio -n -h -j $c >out &&
	awk "{exit !(\$5 < 0.5)}" out &&
	lvprio -n -h -j $p >out &&
	awk "{exit !(\$5 == 1)}" out &&
	test $(prio $p) -gt $(prio $c) &&
	lvcancel $hold $p $c &&
	lv_wait_for queue_empty 20
'

test_expect_success MUNGE 'a job without -A is charged to the first account listing the user, with QOS normal' '
	run=$(lvbatch --parsable -J runner -o /dev/null --wrap "sleep 600") &&
	wait_state $run RUNNING &&
	test "$(job_field $run %a)" = physics &&
	lvcontrol show job $run >show &&
	lvqueue --json -j $run >json &&
	test_grep "\"qos\": \"normal\"" json
'

test_expect_success MUNGE 'an unknown account or one the user is not in is refused' '
	test_must_fail lvbatch -A nosuch -o /dev/null --wrap true 2>err &&
	test_grep "Invalid account or account/partition combination specified" err &&
	test_must_fail lvbatch --qos=nosuch -o /dev/null --wrap true 2>err &&
	test_grep "Invalid qos specification" err
'

test_expect_success MUNGE,NOBODY 'a user may not set a negative nice or a priority' '
	test_must_fail as_nobody lvbatch --nice=-5 -o /dev/null --chdir=/tmp --wrap true 2>err &&
	test_grep "only an administrator may set a negative nice" err &&
	test_must_fail as_nobody lvbatch --priority=5 -o /dev/null --chdir=/tmp --wrap true 2>err &&
	test_grep "only an administrator may set a priority" err
'

test_expect_success MUNGE 'QOS and partition factors: lvprio shows them weighted' '
	low=$(lvbatch --parsable -J low -o /dev/null --wrap "sleep 600") &&
	high=$(lvbatch --parsable -J high --qos=high -o /dev/null --wrap "sleep 600") &&
	hot=$(lvbatch --parsable -J hot -p hot -o /dev/null --wrap "sleep 600") &&
	nice=$(lvbatch --parsable -J nice --qos=high --nice=300 -o /dev/null --wrap "sleep 600") &&
	lvprio -h -j $high >out &&
	test_grep "^ *$high  *debug  *[0-9]*  *0  *[0-9]*  *0  *0  *1000$" out &&
	lvprio -h -j $hot >out &&
	test_grep "^ *$hot  *hot  *[0-9]*  *0  *[0-9]*  *0  *500  *0$" out &&
	test $(prio $high) -gt $(prio $hot) &&
	test $(prio $hot) -gt $(prio $low) &&
	test $(( $(prio $high) - $(prio $nice) )) -eq 300 &&
	lvprio -w >out &&
	test_grep "^ *Weights  *0  *10000  *0  *500  *1000$" out &&
	lvprio -l -j $nice >out &&
	test_grep " 300$" out &&
	lvprio -h -u root >out &&
	test $(wc -l <out) -eq 4 &&
	lvprio -h -u nobody >out &&
	test_must_be_empty out
'

test_expect_success MUNGE 'jobs start in priority order, not submission order' '
	lvcancel $run &&
	wait_state $high RUNNING &&
	state_is $low PENDING && state_is $hot PENDING && state_is $nice PENDING &&
	lvcancel $high &&
	wait_state $nice RUNNING &&
	lvcancel $nice &&
	wait_state $hot RUNNING &&
	state_is $low PENDING
'

test_expect_success MUNGE 'an administrator sets a fixed priority with lvcontrol update' '
	other=$(lvbatch --parsable -J other --qos=high -o /dev/null --wrap "sleep 600") &&
	lvcontrol update JobId=$low Priority=999999 &&
	test $(prio $low) -eq 999999 &&
	lvprio -l -j $low >out &&
	test_grep "(fixed)" out &&
	lvcancel $hot &&
	wait_state $low RUNNING &&
	state_is $other PENDING &&
	lvcancel $low $other &&
	lv_wait_for queue_empty 20
'

test_expect_success MUNGE 'lvcontrol update changes a pending job'"'"'s QOS and nice' '
	hold=$(lvbatch --parsable -J blocker -o /dev/null --wrap "sleep 600") &&
	wait_state $hold RUNNING &&
	j=$(lvbatch --parsable -o /dev/null --wrap true) &&
	before=$(prio $j) &&
	lvcontrol update JobId=$j QOS=high &&
	test $(prio $j) -eq $((before + 1000)) &&
	lvcontrol update JobId=$j Nice=10 &&
	test $(prio $j) -eq $((before + 990)) &&
	test_must_fail lvcontrol update JobId=$j QOS=nosuch 2>err &&
	test_grep "Invalid qos specification" err &&
	lvcancel $hold $j
'

test_expect_success MUNGE 'fair-share usage survives a controller restart' '
	lvshare -a -A chem | awk "/^  chem  *root/ {print \$5}" >before &&
	test $(cat before) -ge 2 &&
	pid=$(cat "$CLUSTER/lvctld.pid") &&
	kill -TERM $pid &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	test -s "$CLUSTER/ctld/fairshare.json" &&
	lvctld -f "$LV_CONF" &&
	lv_wait_for "lvcontrol ping >/dev/null 2>&1" 10 &&
	lvshare -a -A chem | awk "/^  chem  *root/ {print \$5}" >after &&
	test $(cat after) -ge $(( $(cat before) - 1 ))
'

test_done
