#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='node states: registration, timeouts, drain/resume, reconfiguration, shutdown'

. "$(dirname "$0")/sharness.sh"

TIMEOUT=3
# A node that stops answering is DOWN once NodeTimeout whole seconds have
# passed since its last heartbeat (HeartbeatInterval=1), checked by a 1 s
# tick: at most TIMEOUT + 2 s after the kill; one more for a loaded host.
DOWN_WITHIN=$((TIMEOUT + 3))

lvd_pid() {
	cat "$CLUSTER/nodes/$1/lvd.pid"
}

# node_state NODE: the node's state as "lvinfo -N" prints it.
node_state() {
	lvinfo -N -h -n "$1" | awk -v n="$1" '$1 == n { print $4 }'
}

# state_is NODE STATE: for lv_wait_for.
state_is() {
	[ "$(node_state "$1")" = "$2" ]
}

all_idle() {
	lvinfo -h >all.out &&
	grep -q "^debug\* *up *infinite *4 *idle n\[1-4\]$" all.out &&
	test $(wc -l <all.out) -eq 1
}

test_expect_success MUNGE 'start a 4-node cluster' '
	lv_cluster_up 4 --timeout $TIMEOUT &&
	ctld_pid=$(cat "$CLUSTER/lvctld.pid") &&
	lv_pid_alive $ctld_pid
'

test_expect_success MUNGE 'lvinfo shows 4 idle nodes' '
	cat >expect <<-\EOF &&
	PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST
	debug*       up   infinite      4   idle n[1-4]
	EOF
	lvinfo >out &&
	test_cmp expect out
'

test_expect_success MUNGE 'lvinfo -N -l has one line per node' '
	lvinfo -N -l >out &&
	test_grep "^NODELIST *NODES *PARTITION *STATE *CPUS" out &&
	grep "^n[1-4] " out >nodes &&
	test $(wc -l <nodes) -eq 4 &&
	for n in n1 n2 n3 n4; do
		grep -q "^$n  *1  *debug\*  *idle " nodes || return 1
	done &&
	test $(wc -l <out) -eq 6
'

test_expect_success MUNGE 'lvinfo --json has every node' '
	lvinfo --json >out.json &&
	test_grep "^{" out.json &&
	test_grep "^}$" out.json &&
	test $(grep -c "^      \"name\": \"n[1-4]\",$" out.json) -eq 4 &&
	test $(grep -c "^      \"state\": \"IDLE\",$" out.json) -eq 4 &&
	test_grep "\"name\": \"debug\"" out.json
'

test_expect_success MUNGE,PYTHON3 'lvinfo --json is valid JSON (python3)' '
	python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d[\"nodes\"]) == 4" <out.json
'

test_expect_success MUNGE,JQ 'lvinfo --json is valid JSON (jq)' '
	test "$(jq -r "[.nodes[] | select(.state == \"IDLE\")] | length" <out.json)" = 4
'

test_expect_success MUNGE 'lvcontrol show node n1 says IDLE' '
	lvcontrol show node n1 >out &&
	test_grep "^NodeName=n1 NodeAddr=127.0.0.1 Port=[0-9]* Version=" out &&
	test_grep "^   State=IDLE Weight=1$" out &&
	test_grep "^   Partitions=debug$" out
'

test_expect_success MUNGE 'an lvd killed with SIGKILL goes down*' '
	pid=$(lvd_pid n3) &&
	kill -KILL $pid &&
	lv_wait_for "state_is n3 down\*" $DOWN_WITHIN &&
	lvinfo -R -h >out &&
	test_grep "^Not responding  *[^ ]*  *[0-9T:-]*  *n3$" out &&
	test_grep "node: n3 not responding for [0-9]*s, setting DOWN$" "$CLUSTER/lvctld.log" &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *1 *down\* n3$" out &&
	test_grep "^debug\* *up *infinite *3 *idle n\[1-2,4\]$" out
'

test_expect_success MUNGE 'a restarted lvd is idle again' '
	lvd -f "$LV_CONF" -N n3 &&
	lv_wait_for "state_is n3 idle" 5 &&
	all_idle &&
	lvinfo -R -h >out &&
	test_must_be_empty out
'

test_expect_success MUNGE 'a stopped lvd (SIGSTOP) goes down*, SIGCONT brings it back' '
	pid=$(lvd_pid n2) &&
	test_when_finished "kill -CONT $pid" &&
	kill -STOP $pid &&
	lv_wait_for "state_is n2 down\*" $DOWN_WITHIN &&
	lvcontrol show node n2 >out &&
	test_grep "^   State=DOWN+NOT_RESPONDING Weight=1$" out &&
	test_grep "^   Reason=Not responding" out &&
	kill -CONT $pid &&
	lv_wait_for "state_is n2 idle" 5 &&
	lv_pid_alive $pid &&
	all_idle
'

test_expect_success MUNGE 'drain with a reason, then resume' '
	lvcontrol update NodeName=n[1-2] State=DRAIN Reason="disk swap" &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *2 *drain n\[1-2\]$" out &&
	test_grep "^debug\* *up *infinite *2 *idle n\[3-4\]$" out &&
	lvinfo -R -h >out &&
	test_grep "^disk swap  *root  *[0-9T:-]*  *n1$" out &&
	test_grep "^disk swap  *root  *[0-9T:-]*  *n2$" out &&
	lvcontrol show node n1 >out &&
	test_grep "^   State=IDLE+DRAIN Weight=1$" out &&
	test_grep "^   Reason=disk swap \[root@" out &&
	lvcontrol update NodeName=n[1-2] State=RESUME &&
	all_idle &&
	lvinfo -R -h >out &&
	test_must_be_empty out
'

test_expect_success MUNGE 'set DOWN by an administrator, then resume' '
	lvcontrol update NodeName=n4 State=DOWN Reason=broken &&
	lv_wait_for "state_is n4 down" 2 &&
	test_must_fail lvcontrol update NodeName=n3 State=RESUME 2>err &&
	test_grep "node n3 is not drained or down" err &&
	lvcontrol update NodeName=n4 State=RESUME &&
	lv_wait_for "state_is n4 idle" 3 &&
	all_idle
'

test_expect_success MUNGE 'drain without a reason is refused' '
	test_must_fail lvcontrol update NodeName=n1 State=DRAIN >out 2>err &&
	test_grep "^lvcontrol: error: you must specify a reason when draining a node (Reason=...)$" err &&
	test_must_fail lvcontrol update NodeName=n1 State=DRAIN Reason= 2>err &&
	test_grep "you must specify a reason" err &&
	test_must_fail lvcontrol update NodeName=n1 State=DOWN 2>err &&
	test_grep "you must specify a reason when setting a node DOWN" err &&
	all_idle
'

test_expect_success MUNGE 'an update of an unknown node is refused and changes nothing' '
	test_must_fail lvcontrol update NodeName=n9 State=DRAIN Reason=typo 2>err &&
	test_grep "^lvcontrol: error: node n9 not found$" err &&
	test_must_fail lvcontrol update NodeName=n[1,9] State=DRAIN Reason=typo 2>err &&
	test_grep "^lvcontrol: error: node n9 not found$" err &&
	test_must_fail lvcontrol update NodeName=n1 State=BOGUS Reason=x 2>err &&
	test_grep "invalid node state .BOGUS." err &&
	test_must_fail lvcontrol show node n9 2>err &&
	test_grep "node n9 not found" err &&
	all_idle &&
	test_grep ! "reason=typo" "$CLUSTER/lvctld.log"
'

test_expect_success MUNGE 'SIGTERM stops lvctld cleanly' '
	kill -TERM $ctld_pid &&
	lv_wait_for "! lv_pid_alive $ctld_pid" 5 &&
	test_grep "lvctld: Terminated, shutting down$" "$CLUSTER/lvctld.log" &&
	test_grep "lvctld: stopped$" "$CLUSTER/lvctld.log" &&
	test_path_is_missing "$CLUSTER/lvctld.pid" &&
	test_must_fail lvcontrol ping >out &&
	test_grep "is DOWN" out &&
	for n in n1 n2 n3 n4; do
		lv_pid_alive $(lvd_pid $n) || return 1
	done
'

test_expect_success MUNGE 'the nodes register again with a restarted lvctld' '
	lvctld -f "$LV_CONF" &&
	ctld_pid=$(cat "$CLUSTER/lvctld.pid") &&
	lv_pid_alive $ctld_pid &&
	lv_wait_for all_idle 15
'

test_expect_success MUNGE 'add node n5 to the configuration' '
	port5=$(lv_free_port) &&
	sed -i -e "s/^PartitionName=debug Nodes=n\[1-4\]/PartitionName=debug Nodes=n[1-5]/" \
		-e "/^PartitionName=/i NodeName=n5 NodeAddr=127.0.0.1 Port=$port5" "$LV_CONF" &&
	test_grep "^NodeName=n5 NodeAddr=127.0.0.1 Port=$port5$" "$LV_CONF" &&
	test_grep "^PartitionName=debug Nodes=n\[1-5\] " "$LV_CONF"
'

# A regression test: lvctld used to keep the old configuration's
# MungeSocket after a reload (a use-after-free), refusing every new
# connection or crashing.
test_expect_success MUNGE 'SIGHUP to lvctld picks up the new node n5' '
	kill -HUP $ctld_pid &&
	lv_wait_for "grep -q \"conf: reloaded .* (5 nodes, 1 partitions)\" \"$CLUSTER/lvctld.log\"" 5 &&
	lvinfo -N -h >out &&
	test_grep "^n5 .* unk\* *$" out &&
	lvd -f "$LV_CONF" -N n5 &&
	lv_wait_for "state_is n5 idle" 5 &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *5 *idle n\[1-5\]$" out &&
	lv_pid_alive $ctld_pid
'

test_expect_success MUNGE 'lvcontrol reconfigure keeps lvctld serving' '
	lvcontrol reconfigure &&
	lv_wait_for "test \$(grep -c \"conf: reloaded .* (5 nodes, 1 partitions)\" \"$CLUSTER/lvctld.log\") -ge 2" 5 &&
	lvcontrol ping &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *5 *idle n\[1-5\]$" out &&
	lv_pid_alive $ctld_pid
'

test_done
