#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='fair share: a running job is charged every PriorityCalcPeriod, not only when it ends, and its usage lowers its account'"'"'s factor while it runs'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# usage ACCOUNT: RawUsage of root's row under ACCOUNT in lvshare.
usage() {
	lvshare -a -A "$1" | awk -v a="$1" '$1 == a && $2 == "root" {print $5}'
}

test_expect_success MUNGE 'one node of 2 CPUs, a one minute PriorityCalcPeriod' '
	lv_cluster_up 1 --cpus 2 \
		--extra "PriorityCalcPeriod=1 PriorityWeightFairshare=1000" \
		--extra "AccountName=long Users=root" \
		--extra "AccountName=idle Users=root"
'

test_expect_success MUNGE 'a 2-CPU job that keeps running is charged within two minutes' '
	j=$(lvbatch --parsable -A long -n 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $j RUNNING &&
	test "$(usage long)" = 0 &&
	lv_wait_for "test \$(usage long) -gt 0" 150 &&
	state_is $j RUNNING &&
	test "$(usage idle)" = 0
'

test_expect_success MUNGE 'the running account'"'"'s jobs now rank below the idle one'"'"'s' '
	a=$(lvbatch --parsable -A long -o /dev/null --wrap true) &&
	b=$(lvbatch --parsable -A idle -o /dev/null --wrap true) &&
	pa=$(lvprio -h -j $a | awk "{print \$3}") &&
	pb=$(lvprio -h -j $b | awk "{print \$3}") &&
	test $pb -gt $pa &&
	lvcancel $j $a $b &&
	lv_wait_for queue_empty 20
'

test_done
