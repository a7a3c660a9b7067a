#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='accounting: lvacct shows ended jobs and steps (state, exit code, times, MaxRSS), -P, --json, -X, per-user visibility'

. "$(dirname "$0")/sharness.sh"

test_have_prereq ROOT,SETPRIV && getent passwd 65534 >/dev/null &&
	test_set_prereq NOBODY
[ -n "${LV_TEST_LONG:-}" ] && test_set_prereq EXPENSIVE

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# acct_field ID FIELD: the job line's FIELD (parsable, no header).
acct_field() {
	lvacct -X -n -P -j "$1" -o "$2"
}

# wait_acct ID: the job's end reached the database (flushed each second).
wait_acct() {
	lv_wait_for "test -n \"\$(acct_field $1 State)\"" 10
}

test_expect_success MUNGE 'start a 2-node cluster' '
	lv_cluster_up 2 --cpus 2 --extra KillWait=2 &&
	test_path_is_file "$CLUSTER/ctld/acct.db" ||
	lv_wait_for "test -f \"$CLUSTER/ctld/acct.db\"" 5
'

test_expect_success MUNGE 'a job that exits 0 is COMPLETED 0:0 with its batch step' '
	ok=$(lvbatch --parsable -W -o /dev/null --wrap "sleep 1") &&
	wait_acct $ok &&
	lvacct -j $ok >out &&
	cat out >&4 &&
	sed -n 1p out >head &&
	test_grep "^JobID           JobName  Partition    Account  AllocCPUS      State ExitCode $" head &&
	test_grep "^------------ ---------- ---------- ---------- ---------- ---------- -------- $" out &&
	test_grep "^$ok  *wrap  *debug .* COMPLETED  *0:0 $" out &&
	test_grep "^$ok.batch  *batch .* COMPLETED  *0:0 $" out &&
	test $(wc -l <out) -eq 4
'

test_expect_success MUNGE 'Start, End and Elapsed are sensible' '
	lvacct -X -n -P -j $ok -o Start,End,Elapsed,ElapsedRaw >out &&
	IFS="|" read -r start end elapsed raw <out &&
	test "$elapsed" != 00:00:00 &&
	test "$raw" -ge 1 && test "$raw" -le 5 &&
	s=$(date -d "$start" +%s) && e=$(date -d "$end" +%s) &&
	test $((e - s)) -eq "$raw" &&
	now=$(date +%s) && test $((now - e)) -lt 60
'

test_expect_success MUNGE 'exit 3 is FAILED 3:0' '
	f=$(lvbatch --parsable -W -o /dev/null --wrap "exit 3") ;
	wait_acct $f &&
	test "$(acct_field $f State,ExitCode)" = "FAILED|3:0"
'

test_expect_success MUNGE 'a job killed by SIGKILL is FAILED 0:9' '
	k=$(lvbatch --parsable -W -o /dev/null --wrap "kill -9 \$\$") ;
	wait_acct $k &&
	test "$(acct_field $k State,ExitCode)" = "FAILED|0:9"
'

test_expect_success MUNGE 'a cancelled running job is CANCELLED' '
	c=$(lvbatch --parsable -o /dev/null --wrap "sleep 300") &&
	lv_wait_for "test \"\$(lvqueue -h -j $c -o %T)\" = RUNNING" 10 &&
	lvcancel $c &&
	wait_acct $c &&
	test "$(acct_field $c State)" = CANCELLED &&
	test "$(acct_field $c ExitCode)" = "0:15" &&
	test "$(acct_field $c Start)" != Unknown
'

test_expect_success MUNGE 'a cancelled pending job is CANCELLED and never started' '
	p=$(lvbatch --parsable -H -o /dev/null --wrap true) &&
	lvcancel $p &&
	wait_acct $p &&
	test "$(acct_field $p State,Start,Elapsed,NodeList)" = "CANCELLED|Unknown|00:00:00|None assigned"
'

test_expect_success MUNGE 'an lvrun step inside a batch job is N.0; -X hides steps' '
	s=$(lvbatch --parsable -W -N 2 -n 2 -o /dev/null --wrap "lvrun -n 2 true") &&
	wait_acct $s &&
	lvacct -n -P -j $s -o JobID,JobName,State,ExitCode,NTasks >out &&
	cat out >&4 &&
	cat >expect <<-EOF &&
	$s|wrap|COMPLETED|0:0|
	$s.batch|batch|COMPLETED|0:0|1
	$s.0|true|COMPLETED|0:0|2
	EOF
	test_cmp expect out &&
	lvacct -X -n -P -j $s -o JobID >out &&
	echo $s >expect &&
	test_cmp expect out &&
	lvacct -n -P -j $s -o JobID,MaxRSS >out &&
	test_grep "^$s\.0|[0-9.]*[KMG]$" out
'

test_expect_success MUNGE 'a failing step is FAILED with its exit code' '
	s2=$(lvbatch --parsable -W -o /dev/null --wrap "lvrun -n 1 sh -c \"exit 4\"; true") &&
	wait_acct $s2 &&
	test "$(lvacct -n -P -j $s2.0 -o JobID,State,ExitCode | grep "^$s2\.0|")" = "$s2.0|FAILED|4:0"
'

test_expect_success MUNGE 'MaxRSS of a job that holds 50 MB is at least 40M; TotalCPU is set' '
	m=$(lvbatch --parsable -W -o /dev/null --wrap "x=\$(head -c 50000000 /dev/zero | tr \"\\\\0\" a); echo \${#x}") &&
	wait_acct $m &&
	lvacct -n -P -j $m -o JobID,MaxRSS,TotalCPU >out &&
	cat out >&4 &&
	rss=$(grep "^$m.batch|" out | cut -d"|" -f2) &&
	case $rss in
	*K) kb=${rss%K} ;;
	*M) kb=$(echo "${rss%M} * 1024" | bc) ;;
	*G) kb=$(echo "${rss%G} * 1048576" | bc) ;;
	*) false ;;
	esac &&
	test "${kb%.*}" -ge 40960 &&
	cpu=$(grep "^$m.batch|" out | cut -d"|" -f3) &&
	test "$cpu" != "00:00.000"
'

test_expect_success MUNGE '-P has no trailing |, -p has one' '
	lvacct -P -j $ok -X >out &&
	test "$(sed -n 1p out)" = "JobID|JobName|Partition|Account|AllocCPUS|State|ExitCode" &&
	lvacct -p -j $ok -X -n >out &&
	test_grep "|COMPLETED|0:0|$" out
'

test_expect_success MUNGE '--json parses and holds the job and its steps' '
	lvacct --json -j $s >out.json &&
	if command -v jq >/dev/null; then
		jq -e ".jobs[0].job_id == $s and .jobs[0].state == \"COMPLETED\" and (.jobs[0].steps | length) == 2" out.json
	else
		python3 -c "import json; j = json.load(open(\"out.json\"))[\"jobs\"][0]; assert j[\"job_id\"] == $s and j[\"state\"] == \"COMPLETED\" and len(j[\"steps\"]) == 2"
	fi
'

test_expect_success MUNGE '-s selects by state; -o with widths; an unknown field fails' '
	lvacct -n -X -P -s F -o JobID >out &&
	test_grep "^$f$" out &&
	test_grep "^$k$" out &&
	test_grep ! "^$ok$" out &&
	lvacct -n -X -j $ok -o jobid%5,state%12 >out &&
	test "$(cat out)" = "$ok$(printf "%*s" $((5 - ${#ok})) "")    COMPLETED " &&
	test_must_fail lvacct -o JobID,Bogus 2>err &&
	test_grep "Invalid field requested" err
'

test_expect_success MUNGE 'the default window starts at midnight; -S/-E select' '
	lvacct -n -X -P -o JobID >out &&
	test_grep "^$ok$" out &&
	lvacct -n -X -P -o JobID -S now+1hour >out &&
	test_must_be_empty out &&
	lvacct -n -X -P -o JobID -S 2000-01-01 -E 2000-01-02 >out &&
	test_must_be_empty out
'

test_expect_success NOBODY,MUNGE 'a plain user sees only their own jobs' '
	mkdir -p pub && chmod 0777 pub &&
	n=$(cd pub && as_nobody lvbatch --parsable -W -o /dev/null --wrap true) &&
	wait_acct $n &&
	(cd pub && as_nobody lvacct -n -X -P -o JobID,User) >out &&
	echo "$n|nobody" >expect &&
	test_cmp expect out &&
	(cd pub && as_nobody lvacct -n -X -P -o JobID -j $ok) >out &&
	test_must_be_empty out &&
	lvacct -n -X -P -o JobID -a >out &&
	test_grep "^$n$" out && test_grep "^$ok$" out &&
	lvacct -n -X -P -o JobID -u nobody >out &&
	echo $n >expect && test_cmp expect out
'

test_expect_success NOBODY,MUNGE '--allusers and -u of another user need an admin' '
	test_must_fail as_nobody lvacct -a 2>err &&
	test_grep "Access/permission denied" err &&
	test_must_fail as_nobody lvacct -u root 2>err &&
	test_grep "Access/permission denied" err &&
	test_grep "acct: uid=65534 may not query other users" "$CLUSTER/lvctld.log"
'

test_expect_success EXPENSIVE,MUNGE 'a job over its time limit is TIMEOUT' '
	t=$(lvbatch --parsable -W -t 1 -o /dev/null --wrap "sleep 300") ;
	wait_acct $t &&
	test "$(acct_field $t State)" = TIMEOUT
'

test_expect_success MUNGE 'records survive a controller restart' '
	pid=$(cat "$CLUSTER/lvctld.pid") &&
	kill -TERM $pid &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	lvctld -f "$LV_CONF" &&
	lv_wait_for "lvacct -n -X -P -j $ok -o State | grep -q COMPLETED" 10
'

test_done
