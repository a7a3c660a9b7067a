#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='backfill: a short small job starts ahead of a blocked big one, a long one that would delay it does not, lvqueue --start shows the expected start, and the big job starts when the running one reaches its limit'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# json_int ID KEY: an integer field of a job from lvqueue --json.
json_int() {
	lvqueue --json -t all -j "$1" | sed -n "s/^ *\"$2\": \([0-9]*\),*$/\1/p" | head -n 1
}

test_expect_success MUNGE 'two nodes of 2 CPUs, backfill every second' '
	lv_cluster_up 2 --cpus 2 --extra "BackfillInterval=1"
'

test_expect_success MUNGE 'a 2-CPU job with a 2 minute limit fills one node' '
	run=$(lvbatch --parsable -J runner -n 2 -t 2 -o /dev/null --wrap "sleep 600") &&
	wait_state $run RUNNING &&
	run_start=$(json_int $run start_time) &&
	test -n "$run_start"
'

test_expect_success MUNGE 'a big exclusive 2-node job waits for Resources' '
	big=$(lvbatch --parsable -J big -N 2 --exclusive -t 1 -o /dev/null --wrap "sleep 600") &&
	lv_wait_for "test \"\$(job_field $big %r)\" = Resources" 10 &&
	state_is $big PENDING
'

test_expect_success MUNGE 'the big job expects to start when the runner reaches its limit' '
	lv_wait_for "test \"\$(json_int $big start_time)\" = $((run_start + 120))" 10 &&
	lvqueue --start -h -j $big >out &&
	test_grep -v "N/A" out &&
	test_grep "(Resources)" out
'

test_expect_success MUNGE '--test-only gives the same estimate and queues nothing' '
	lvbatch --test-only -N 2 --exclusive -t 1 --wrap true 2>err &&
	test_grep "Job 0 to start at $(date -d @$((run_start + 120)) +%Y-%m-%dT%H:%M:%S) using 4 processors on nodes n\[1-2\]" err &&
	test $(lvqueue -h | wc -l) -eq 2
'

test_expect_success MUNGE 'a short 1-CPU job is backfilled on the other node' '
	short=$(lvbatch --parsable -J short -n 1 -t 1 -o /dev/null --wrap "sleep 600") &&
	wait_state $short RUNNING &&
	state_is $big PENDING &&
	lvcontrol show stats >stats &&
	test_grep "Total backfilled jobs: [1-9]" stats
'

test_expect_success MUNGE 'a long 1-CPU job that would delay the big one stays pending' '
	long=$(lvbatch --parsable -J long -n 1 -t 10 -o /dev/null --wrap "sleep 600") &&
	lv_wait_for "test \"\$(job_field $long %r)\" = Priority" 10 &&
	lvcontrol show stats >stats1 &&
	cycles=$(sed -n "s/.*Total cycles: *//p" stats1) &&
	lv_wait_for "test \$(lvcontrol show stats | sed -n \"s/.*Total cycles: *//p\") -gt $((cycles + 1))" 10 &&
	state_is $long PENDING &&
	state_is $big PENDING
'

test_expect_success MUNGE 'without a time limit nothing is backfilled in front of the big job' '
	nolimit=$(lvbatch --parsable -J nolimit -n 1 -t UNLIMITED -o /dev/null --wrap "sleep 600") &&
	lvcontrol show stats >stats1 &&
	cycles=$(sed -n "s/.*Total cycles: *//p" stats1) &&
	lv_wait_for "test \$(lvcontrol show stats | sed -n \"s/.*Total cycles: *//p\") -gt $((cycles + 1))" 10 &&
	state_is $nolimit PENDING &&
	lvcancel $nolimit
'

test_expect_success MUNGE 'the big job starts once the runner times out, not before its expected start' '
	wait_state $run TIMEOUT 150 &&
	wait_state $big RUNNING 20 &&
	test $(json_int $big start_time) -ge $((run_start + 120)) &&
	state_is $long PENDING
'

test_expect_success MUNGE 'cleanup' '
	lvcancel $big $long $short &&
	lv_wait_for queue_empty 20
'

test_done
