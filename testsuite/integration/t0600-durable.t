#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='lvctld durability: acknowledged jobs survive SIGKILL, running jobs survive a controller restart, a crash storm loses nothing, a full StateDir refuses clearly'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# Rounds of SIGKILL + restart in the crash storm (about 1.5 s each).
CRASH_ROUNDS=${LV_CRASH_ROUNDS:-5}

ctld_pid() {
	cat "$CLUSTER/lvctld.pid" 2>/dev/null
}

# kill_ctld [SIGNAL]: stops lvctld (SIGKILL by default) and waits for it.
kill_ctld() {
	local pid
	pid=$(ctld_pid) &&
	kill -"${1:-KILL}" "$pid" &&
	lv_wait_for "! lv_pid_alive $pid" 10
}

start_ctld() {
	lvctld -f "$LV_CONF" &&
	lv_wait_for "lvcontrol ping >/dev/null 2>&1" 10
}

# The ids of all jobs, one a line, sorted.
all_ids() {
	lvqueue -h -t all -o %i | sort -n
}

test_expect_success MUNGE 'start a 2-node cluster' '
	lv_cluster_up 2 --cpus 2 &&
	test -d "$CLUSTER/ctld/journal"
'

test_expect_success MUNGE 'acknowledged jobs survive SIGKILL with their ids and states' '
	for i in 1 2 3; do
		lvbatch -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p" || return 1
	done >done.ids &&
	lvbatch -H -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p" >held.id &&
	lvbatch -o /dev/null --array=1-3 --wrap=true | sed -n "s/^Submitted batch job //p" >array.id &&
	for id in $(cat done.ids); do wait_state $id COMPLETED || return 1; done &&
	lv_wait_for "test \$(lvqueue -h -t all -j $(cat array.id) -o %T | grep -c COMPLETED) = 3" 10 &&
	lvqueue -h -t all -o "%i %T" | sort >before &&
	kill_ctld KILL &&
	start_ctld &&
	lvqueue -h -t all -o "%i %T" | sort >after &&
	test_cmp before after &&
	state_is $(cat held.id) PENDING &&
	lvcontrol show job $(cat held.id) | grep -q "JobState=PENDING"
'

test_expect_success MUNGE 'a new submission after the restart gets a larger id' '
	last=$(lvqueue -h -t all -o %i | grep -v _ | sort -n | tail -n 1) &&
	id=$(lvbatch -H -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p") &&
	test "$id" -gt "$last" &&
	echo $id >new.id
'

test_expect_success MUNGE 'ids never repeat, even when the newest job is gone (SIGTERM restart)' '
	lvcancel $(cat new.id) &&
	kill_ctld TERM &&
	start_ctld &&
	id=$(lvbatch -H -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p") &&
	test "$id" -gt "$(cat new.id)" &&
	state_is $(cat new.id) CANCELLED &&
	lvcancel $id $(cat held.id)
'

test_expect_success MUNGE 'updates, holds and dependencies survive SIGKILL' '
	a=$(lvbatch -H -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p") &&
	b=$(lvbatch -o /dev/null -t 30 --dependency=afterok:$a --wrap=true | sed -n "s/^Submitted batch job //p") &&
	lvcontrol update JobId=$b TimeLimit=7 &&
	lvcontrol hold $b &&
	lvcontrol update JobId=$a Name=renamed &&
	lvcontrol show job $b >b.before &&
	kill_ctld KILL &&
	start_ctld &&
	lvcontrol show job $b >b.after &&
	grep -q "TimeLimit=00:07:00\|TimeLimit=7:00" b.after &&
	grep -q "Dependency=afterok:$a" b.after &&
	state_is $b PENDING &&
	lv_wait_for "lvcontrol show job $b | grep -q Reason=JobHeld" 10 &&
	test "$(job_field $a %j)" = renamed &&
	lvcontrol release $b &&
	lvcontrol release $a &&
	wait_state $b COMPLETED 20
'

test_expect_success MUNGE 'a running job survives SIGKILL and a restart of lvctld and ends COMPLETED' '
	id=$(lvbatch -o /dev/null --wrap="sleep 5" | sed -n "s/^Submitted batch job //p") &&
	wait_state $id RUNNING &&
	kill_ctld KILL &&
	sleep 1 &&
	start_ctld &&
	state_is $id RUNNING &&
	wait_state $id COMPLETED 20
'

test_expect_success MUNGE 'a running lvrun step survives SIGKILL of lvctld: shown after the restart, accounted when it ends' '
	id=$(lvbatch -o /dev/null --wrap="lvrun -n 1 sleep 4" | sed -n "s/^Submitted batch job //p") &&
	lv_wait_for "lvcontrol show job $id | grep -q \"Step $id.0 .*State=RUNNING\"" 10 &&
	kill_ctld KILL &&
	start_ctld &&
	lvcontrol show job $id >show &&
	cat show >&4 &&
	test_grep "Step $id.0 .*State=RUNNING" show &&
	wait_state $id COMPLETED 20 &&
	lv_wait_for "lvacct -n -P -j $id -o JobID,State | grep -q \"^$id.0|COMPLETED\$\"" 10
'

test_expect_success MUNGE 'a job that ends while lvctld is down is reported when it is back' '
	id=$(lvbatch -o /dev/null --wrap="sleep 1; exit 3" | sed -n "s/^Submitted batch job //p") &&
	wait_state $id RUNNING &&
	kill_ctld KILL &&
	sleep 2 &&
	start_ctld &&
	wait_state $id FAILED 20 &&
	lvcontrol show job $id | grep -q "ExitCode=3:0"
'

test_expect_success MUNGE,ROOT 'a full StateDir refuses submissions clearly and loses none already accepted' '
	kill_ctld TERM &&
	mkdir small &&
	mount -t tmpfs -o size=256k tmpfs small &&
	lv_atexit "umount -l \"$PWD/small\" 2>/dev/null" &&
	cp -a "$CLUSTER/ctld/." small/ &&
	mv "$CLUSTER/ctld" ctld.saved &&
	ln -s "$PWD/small" "$CLUSTER/ctld" &&
	start_ctld &&
	: >full.ids &&
	for i in $(seq 1 5000); do
		lvbatch -H -o /dev/null --wrap=true >sub.out 2>sub.err || break
		sed -n "s/^Submitted batch job //p" sub.out >>full.ids
	done &&
	test -s sub.err &&
	cat sub.err >&4 &&
	grep -q "StateDir is full: job not accepted" sub.err &&
	test $(wc -l <full.ids) -gt 10 &&
	grep -q "not accepted: StateDir: No space left on device" "$CLUSTER/lvctld.log" &&
	mount -o remount,size=64m small &&
	id=$(lvbatch -H -o /dev/null --wrap=true | sed -n "s/^Submitted batch job //p") &&
	test -n "$id" && echo $id >>full.ids &&
	kill_ctld KILL &&
	start_ctld &&
	all_ids >have &&
	for id in $(cat full.ids); do grep -qx $id have || { echo "lost job $id" >&4; return 1; }; done &&
	lvcancel $(cat full.ids) &&
	kill_ctld TERM &&
	rm "$CLUSTER/ctld" &&
	mkdir "$CLUSTER/ctld" &&
	cp -a small/. "$CLUSTER/ctld/" &&
	umount small &&
	start_ctld
'

# One submit loop: records every id it got acknowledged.
submit_loop() {
	local end=$1 out
	while [ "$(date +%s)" -lt "$end" ]; do
		out=$(LV_CLIENT_RETRY=10 lvbatch -o /dev/null --wrap=true 2>/dev/null) &&
		echo "${out##* }"
	done
}

test_expect_success MUNGE 'crash storm: every acknowledged job exists exactly once and all of them finish' '
	end=$(( $(date +%s) + CRASH_ROUNDS * 3 / 2 + 2 )) &&
	for i in 1 2 3; do
		submit_loop $end >storm.$i &
	done &&
	for r in $(seq 1 $CRASH_ROUNDS); do
		sleep 1.$((RANDOM % 10)) &&
		kill_ctld KILL &&
		start_ctld || return 1
	done &&
	wait &&
	cat storm.1 storm.2 storm.3 >acked &&
	say "crash storm: $(wc -l <acked) jobs acknowledged over $CRASH_ROUNDS crashes" &&
	test $(wc -l <acked) -gt 0 &&
	test -z "$(sort acked | uniq -d)" &&
	all_ids >have &&
	for id in $(cat acked); do grep -qx $id have || { echo "lost job $id" >&4; return 1; }; done &&
	test -z "$(all_ids | uniq -d)" &&
	lv_wait_for "test -z \"\$(lvqueue -h -o %i)\"" 60 &&
	for id in $(cat acked); do
		test "$(job_field $id %T)" = COMPLETED || { lvcontrol show job $id >&4; return 1; }
	done
'

test_done
