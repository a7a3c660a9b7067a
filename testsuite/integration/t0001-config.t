#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='configuration errors, LV_CONF and --config, pid files'

. "$(dirname "$0")/sharness.sh"

# A complete, valid configuration; each bad one below differs from it in
# exactly one line, so the expected line number is known.
write_conf() {
	cat >"$1" <<-EOF
	ClusterName=t0001
	ControllerHost=localhost
	ControllerAddr=127.0.0.1
	ControllerPort=1
	HeartbeatInterval=1
	NodeName=n[1-2] NodeAddr=127.0.0.1 Port=2
	PartitionName=debug Nodes=n[1-2] Default=YES State=UP
	EOF
}

# lvctld -D on a bad file must exit at once; SIGKILL after 10 s turns a
# daemon that wrongly started into a failure of test_must_fail.
ctld_must_reject() {
	test_must_fail timeout -s KILL 10 lvctld -D -f "$1" 2>"$2"
}

test_expect_success 'the base configuration is accepted' '
	write_conf good.conf &&
	port=$(lv_free_port) &&
	sed -i "s/^ControllerPort=1$/ControllerPort=$port/" good.conf &&
	{ lvctld -D -f good.conf 2>good.err & pid=$!; } &&
	lv_wait_for "grep -q \"listening on 127.0.0.1:$port, 2 nodes\" good.err" 10 &&
	lv_pid_alive $pid &&
	kill -TERM $pid && wait $pid &&
	test_grep "lvctld: stopped" good.err
'

test_expect_success 'lvctld -D rejects an unknown key with FILE:LINE' '
	write_conf "$TRASH/bad-key.conf" &&
	sed -i "3a Bogus=1" "$TRASH/bad-key.conf" &&
	ctld_must_reject "$TRASH/bad-key.conf" err &&
	test_grep "$TRASH/bad-key.conf:4: unknown key .Bogus." err
'

test_expect_success 'lvctld -D rejects a bad hostlist with FILE:LINE' '
	write_conf bad-hl.conf &&
	sed -i "s/^NodeName=n\[1-2\]/NodeName=n[1-/" bad-hl.conf &&
	ctld_must_reject bad-hl.conf err &&
	test_grep "bad-hl.conf:6: NodeName: hostlist: bad expression \"n\[1-\"" err
'

test_expect_success 'lvctld -D rejects a bad number with FILE:LINE' '
	write_conf bad-num.conf &&
	sed -i "s/^HeartbeatInterval=1$/HeartbeatInterval=abc/" bad-num.conf &&
	ctld_must_reject bad-num.conf err &&
	test_grep "bad-num.conf:5: bad number .abc. for HeartbeatInterval" err
'

test_expect_success 'lvctld -D rejects a negative number and a bad port' '
	write_conf bad-neg.conf &&
	sed -i "s/^HeartbeatInterval=1$/HeartbeatInterval=-3/" bad-neg.conf &&
	ctld_must_reject bad-neg.conf err &&
	test_grep "bad-neg.conf:5: bad number .-3. for HeartbeatInterval" err &&
	write_conf bad-port.conf &&
	sed -i "s/^ControllerPort=1$/ControllerPort=99999/" bad-port.conf &&
	ctld_must_reject bad-port.conf err &&
	test_grep "bad-port.conf:4: bad port .99999. for ControllerPort" err
'

test_expect_success 'lvctld reads LV_CONF when -f is not given' '
	write_conf via-env.conf &&
	sed -i "2a Bogus=2" via-env.conf &&
	LV_CONF=$TRASH/via-env.conf test_must_fail timeout -s KILL 10 lvctld -D 2>err &&
	test_grep "$TRASH/via-env.conf:3: unknown key .Bogus." err
'

test_expect_success 'lvinfo names a missing configuration file' '
	test_must_fail lvinfo --config "$TRASH/missing.conf" 2>err &&
	test_grep "^lvinfo: error: $TRASH/missing.conf: No such file or directory$" err &&
	LV_CONF=$TRASH/missing-env.conf test_must_fail lvinfo 2>err &&
	test_grep "^lvinfo: error: $TRASH/missing-env.conf: No such file or directory$" err &&
	test_must_fail lvcontrol --config="$TRASH/missing.conf" ping 2>err &&
	test_grep "$TRASH/missing.conf: No such file or directory" err
'

test_expect_success 'start a 1-node cluster' '
	lv_cluster_up 1 &&
	conf=$LV_CONF &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *1 *idle n1$" out
'

test_expect_success 'LV_CONF is honoured' '
	LV_CONF=$conf lvinfo -h >out &&
	test_grep "idle n1$" out &&
	LV_CONF=$TRASH/missing.conf test_must_fail lvinfo 2>err &&
	test_grep "missing.conf" err
'

test_expect_success '--config is honoured and wins over LV_CONF' '
	LV_CONF=$TRASH/missing.conf lvinfo --config "$conf" -h >out &&
	test_grep "idle n1$" out &&
	LV_CONF=$TRASH/missing.conf lvcontrol --config="$conf" ping >out &&
	test_grep "is UP (cluster local" out &&
	LV_CONF=$conf test_must_fail lvinfo --config "$TRASH/other.conf" 2>err &&
	test_grep "other.conf: No such file or directory" err
'

test_expect_success 'a second lvctld with the same PidFile refuses to start' '
	pid=$(cat "$CLUSTER/lvctld.pid") &&
	lv_pid_alive $pid &&
	test_must_fail timeout -s KILL 10 lvctld -f "$conf" 2>err &&
	test_grep "already running as pid $pid ($CLUSTER/lvctld.pid)" err &&
	test_must_fail timeout -s KILL 10 lvctld -D -f "$conf" 2>err &&
	test_grep "already running as pid $pid" err &&
	lv_pid_alive $pid &&
	echo $pid >expect && test_cmp expect "$CLUSTER/lvctld.pid" &&
	lvcontrol ping
'

test_expect_success 'a second lvd for the same node refuses to start' '
	pid=$(cat "$CLUSTER/nodes/n1/lvd.pid") &&
	test_must_fail timeout -s KILL 10 lvd -f "$conf" -N n1 2>err &&
	test_grep "already running as pid $pid" err &&
	lv_pid_alive $pid &&
	lvinfo -h >out &&
	test_grep "idle n1$" out
'

test_done
