#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvqueue: default and long formats, filters, -o/-O, --start, --json; lvcontrol show job'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

HEADER="             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)"

# row ID PARTITION NAME USER ST TIME NODES REASONLIST: a default line.
row() {
	printf "%18s %9s %8s %8s %2s %10s %6s %s\n" "$@"
}

# lvqueue with the TIME column (which moves) blanked out.
lvqueue_notime() {
	lvqueue "$@" | sed -E "2,\$ s/^(.{50}).{10}/\1      TIME/"
}

test_expect_success MUNGE 'start 4 nodes, partitions debug (all) and other (n3, n4)' '
	lv_cluster_up 4 --cpus 2 --extra "PartitionName=other Nodes=n[3-4] MaxTime=UNLIMITED State=UP" &&
	lvinfo -h >out &&
	test_grep "^other *up *infinite *2 *idle n\[3-4\]$" out &&
	test_grep "^debug\* *up *infinite *4 *idle n\[1-4\]$" out
'

test_expect_success MUNGE 'an empty queue is just the header' '
	echo "$HEADER" >expect &&
	lvqueue >out &&
	test_cmp expect out
'

test_expect_success MUNGE 'queue a running job, a held one in "other", a finished one' '
	rm -f run.pid &&
	run=$(lvbatch --parsable -J runner -t 10 -o /dev/null --wrap "echo \$\$ >$TRASH/run.pid; sleep 300") &&
	held=$(lvbatch --parsable -J waiter -H -p other -N 2 -o /dev/null --wrap true) &&
	done=$(lvbatch --parsable -J finished -o /dev/null --wrap true) &&
	lv_wait_for "test -s run.pid" 10 &&
	lv_wait_for "state_is $done COMPLETED" 10 &&
	test "$(job_field $run %T)" = RUNNING &&
	runnode=$(job_field $run %N)
'

test_expect_success MUNGE 'the default format: exact header and columns, sorted by partition' '
	{
		echo "$HEADER" &&
		row $run debug runner root R TIME 1 $runnode &&
		row $held other waiter root PD TIME 2 "(JobHeldUser)"
	} >expect &&
	lvqueue_notime >out &&
	test_cmp expect out &&
	lvqueue -h -j $run -o %M >time &&
	test_grep -x "0:0[0-9]" time
'

test_expect_success MUNGE 'within a partition pending jobs come first, then by state' '
	early=$(lvbatch --parsable -H -J early -o /dev/null --wrap true) &&
	lvqueue -h -t all -p debug -o "%i %t" >out &&
	printf "%s PD\n%s R\n%s CD\n" $early $run $done >expect &&
	test_cmp expect out &&
	lvcancel $early
'

test_expect_success MUNGE '-h leaves the header out' '
	lvqueue -h >out &&
	test $(wc -l <out) -eq 2 &&
	test_grep ! "JOBID" out
'

test_expect_success MUNGE '-t PD, -t R, -t CD and -t all' '
	test "$(lvqueue -h -t PD -o %i)" = $held &&
	test "$(lvqueue -h -t R -o %i)" = $run &&
	test "$(lvqueue -h -t CD -o %i)" = $done &&
	test "$(lvqueue -h -t pending,running -o %i | sort -n | tr "\n" " ")" = "$run $held " &&
	lvqueue -h -t all -o "%i %T" | sort -n >out &&
	printf "%s RUNNING\n%s PENDING\n%s COMPLETED\n%s CANCELLED\n" $run $held $done $early >expect &&
	test_cmp expect out
'

test_expect_success MUNGE 'a bad -t is refused' '
	test_must_fail lvqueue -t bogus >out 2>err &&
	test_must_be_empty out &&
	echo "lvqueue: error: Invalid job state specified: bogus" >expect &&
	test_cmp expect err
'

test_expect_success MUNGE '-j selects jobs in any state' '
	test "$(lvqueue -h -j $done -o "%i %T")" = "$done COMPLETED" &&
	test "$(lvqueue -h -j $run,$held -o %i | sort -n | tr "\n" " ")" = "$run $held "
'

test_expect_success MUNGE '-p selects a partition' '
	test "$(lvqueue -h -p other -o %i)" = $held &&
	test "$(lvqueue -h -p debug -o %i)" = $run &&
	test "$(lvqueue -h -p debug,other -o %i | wc -l)" -eq 2 &&
	test -z "$(lvqueue -h -p nope)"
'

test_expect_success MUNGE '-n selects names' '
	test "$(lvqueue -h -n waiter -o %i)" = $held &&
	test "$(lvqueue -h -t all -n finished,runner -o %i | sort -n | tr "\n" " ")" = "$run $done "
'

test_expect_success NOBODY,MUNGE 'a job of nobody, for the user filters' '
	theirs=$(cd / && as_nobody lvbatch --parsable -H -J theirs -o /dev/null --wrap true) &&
	test "$(job_field $theirs %u)" = "$(getent passwd 65534 | cut -d: -f1)"
'

test_expect_success NOBODY,MUNGE '-u root, -u by uid, --me' '
	test "$(lvqueue -h -u root -o %i | sort -n | tr "\n" " ")" = "$run $held " &&
	test "$(lvqueue -h -u 65534 -o %i)" = $theirs &&
	test "$(lvqueue -h -u "$(getent passwd 65534 | cut -d: -f1)" -o %i)" = $theirs &&
	test "$(lvqueue -h --me -o %i | sort -n | tr "\n" " ")" = "$run $held " &&
	test "$(as_nobody lvqueue -h --me -o %i)" = $theirs &&
	test "$(lvqueue -h -u root,65534 -o %i | wc -l)" -eq 3 &&
	test "$(as_nobody lvqueue -h -o %i | wc -l)" -eq 3
'

test_expect_success MUNGE 'an unknown user is refused' '
	test_must_fail lvqueue -u no-such-user 2>err &&
	echo "lvqueue: error: Invalid user: no-such-user" >expect &&
	test_cmp expect err
'

test_expect_success MUNGE '-o with literal text and widths' '
	lvqueue -t all -j $run,$held,$done -o "%i %j" >out &&
	printf "JOBID NAME\n%s runner\n%s finished\n%s waiter\n" $run $done $held >expect &&
	test_cmp expect out &&
	lvqueue -h -j $held -o "[%5i|%.8j|%P]" >out &&
	printf "[%-5s|  waiter|other]\n" $held >expect &&
	test_cmp expect out
'

test_expect_success MUNGE '-O JobID,Name: 20-column fields and explicit sizes' '
	lvqueue -t all -j $run,$held -O JobID,Name >out &&
	{
		printf "%-20s%-20s\n" JOBID NAME &&
		printf "%-20s%-20s\n" $run runner &&
		printf "%-20s%-20s\n" $held waiter
	} >expect &&
	test_cmp expect out &&
	lvqueue -h -j $run -O "JobID:6,State:.9,TimeLimit" >out &&
	printf "%-6s%9s%-20s\n" $run RUNNING 10:00 >expect &&
	test_cmp expect out
'

test_expect_success MUNGE 'bad formats are refused' '
	test_must_fail lvqueue -o "%i %y" 2>err &&
	test_grep "^lvqueue: error: Invalid job format specification: y$" err &&
	test_must_fail lvqueue -O JobID,Bogus 2>err &&
	test_grep "^lvqueue: error: Invalid job format specification: Bogus$" err
'

test_expect_success MUNGE '-l: a time stamp, then STATE and TIME_LIMI columns' '
	lvqueue -l -p debug,other -u root >out &&
	test_grep "^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* [0-9]*$" out &&
	sed -n 2p out >header &&
	echo "             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)" >expect &&
	test_cmp expect header &&
	test_grep "^ *$held  *other  *waiter  *root  *PENDING  *0:00  *UNLIMITED  *2 (JobHeldUser)$" out &&
	test_grep "^ *$run  *debug  *runner  *root  *RUNNING  *[0-9:]*  *10:00  *1 $runnode$" out &&
	test $(wc -l <out) -eq 4
'

test_expect_success MUNGE '--start lists only pending jobs with START_TIME' '
	lvqueue --start -u root >out &&
	sed -n 1p out >header &&
	echo "             JOBID PARTITION     NAME     USER ST          START_TIME  NODES NODELIST(REASON)" >expect &&
	test_cmp expect header &&
	test $(wc -l <out) -eq 2 &&
	test_grep "^ *$held  *other  *waiter  *root PD  *N/A  *2 (JobHeldUser)$" out
'

test_expect_success MUNGE '--json has every job with its job_id' '
	lvqueue --json -t all >out.json &&
	for id in $run $held $done; do
		test_grep "\"job_id\": $id,$" out.json || return 1
	done &&
	test_grep "\"name\": \"waiter\"" out.json &&
	test_grep "\"state\": \"RUNNING\"" out.json
'

test_expect_success MUNGE,PYTHON3 '--json is valid JSON (python3) with the jobs lvqueue -t all lists' '
	lvqueue -h -t all -o %i | sort -n | tr "\n" " " >ids &&
	python3 -c "
import json, sys
d = json.load(sys.stdin)
jobs = d[\"jobs\"] if isinstance(d, dict) else d
print(\" \".join(str(i) for i in sorted(j[\"job_id\"] for j in jobs)), end=\" \")
" <out.json >json.ids &&
	test_cmp ids json.ids
'

test_expect_success MUNGE,JQ '--json is valid JSON (jq)' '
	test "$(jq -r "[.. | objects | select(.name? == \"runner\") | .state] | .[0]" <out.json)" = RUNNING
'

# Regression (was a bug, fixed): lvqueue --json prints a bare array of jobs.  squeue --json (and
# our own lvinfo --json, {"nodes": [...]}) prints an object whose "jobs"
# member is the array, so scripts written for squeue --json (jq
# .jobs[]) break.  src/cmd/lvqueue.c print_jobs.
test_expect_success MUNGE,PYTHON3 '--json is an object with a "jobs" array, as squeue --json' '
	python3 -c "
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, dict) and isinstance(d[\"jobs\"], list), type(d)
" <out.json
'

# Regression (was a bug, fixed): squeue -j with an id the controller does not know fails with
# "slurm_load_jobs error: Invalid job id specified" and exit status 1;
# lvqueue prints an empty queue and exits 0, so a script polling
# "squeue -j $id" until it fails never stops.  src/cmd/lvqueue.c.
test_expect_success MUNGE 'lvqueue -j of an unknown job fails' '
	test_must_fail lvqueue -j 999999 >out 2>err &&
	test_grep "Invalid job id specified" err
'

test_expect_success MUNGE 'lvcontrol show job: the fields of a running job' '
	lvcontrol show job $run >out &&
	test_grep "^JobId=$run JobName=runner$" out &&
	test_grep "^   UserId=root(0) GroupId=0 Account=(null)$" out &&
	test_grep "^   Priority=[0-9]* JobState=RUNNING Reason=None Dependency=(null)$" out &&
	test_grep "^   RunTime=[0-9:]* TimeLimit=10:00$" out &&
	test_grep "^   StartTime=[0-9T:-]* EndTime=None$" out &&
	test_grep "^   Partition=debug$" out &&
	test_grep "^   NodeList=$runnode BatchHost=$runnode$" out &&
	test_grep "^   NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 MinMemory=0M$" out &&
	test_grep "^   WorkDir=$TRASH$" out &&
	test_grep "^   StdOut=/dev/null StdErr=/dev/null StdIn=/dev/null$" out
'

test_expect_success MUNGE 'lvcontrol show job: a pending and a finished job' '
	lvcontrol show job $held >out &&
	test_grep "^JobId=$held JobName=waiter$" out &&
	test_grep "^   Priority=[0-9]* JobState=PENDING Reason=JobHeldUser Dependency=(null)$" out &&
	test_grep "^   Partition=other$" out &&
	test_grep "^   NodeList=(null) BatchHost=(null)$" out &&
	test_grep "^   NumNodes=2 NumCPUs=2 NumTasks=2 " out &&
	test_grep "^   StartTime=None EndTime=None$" out &&
	lvcontrol show job $done >out &&
	test_grep "^   Priority=[0-9]* JobState=COMPLETED Reason=None " out &&
	test_grep "^   StartTime=[0-9T:-]* EndTime=[0-9T:-]*$" out &&
	test_grep " ExitCode=0:0$" out
'

test_expect_success MUNGE 'lvcontrol show job without an id shows every job' '
	lvcontrol show job >out &&
	test $(grep -c "^JobId=" out) -eq $(lvqueue -h -t all | wc -l)
'

test_expect_success MUNGE 'lvcontrol show job of an unknown job fails' '
	test_must_fail lvcontrol show job 999999 >out 2>err &&
	test_must_be_empty out &&
	echo "lvcontrol: error: Invalid job id specified" >expect &&
	test_cmp expect err
'

test_expect_success MUNGE 'after cancelling everything the queue is empty' '
	lvcancel -u root &&
	{ test -z "${theirs:-}" || lvcancel $theirs; } &&
	lv_wait_for "test -z \"\$(lvqueue -h)\"" 5 &&
	lv_wait_for "! lv_pid_alive $(cat run.pid)" 5 &&
	echo "$HEADER" >expect &&
	lvqueue >out &&
	test_cmp expect out
'

test_done
