#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='munge authentication, hostile bytes on the RPC ports, admin-only RPCs'

. "$(dirname "$0")/sharness.sh"

# The "nobody" tests need root to drop privileges and setpriv to do it.
test_have_prereq ROOT,SETPRIV && getent passwd 65534 >/dev/null &&
	test_set_prereq NOBODY

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# send_bytes PORT: sends stdin to 127.0.0.1:PORT, then reads until the
# server closes the connection (at most 5 s).  A server that hangs up
# early may make the write fail; that is fine.
send_bytes() {
	exec 7<>"/dev/tcp/127.0.0.1/$1" || return 1
	cat >&7 2>/dev/null
	timeout 5 cat <&7 >/dev/null 2>&1
	exec 7<&- 7>&-
	return 0
}

# send_and_close PORT: sends stdin and closes at once, without reading.
send_and_close() {
	exec 7<>"/dev/tcp/127.0.0.1/$1" || return 1
	cat >&7 2>/dev/null
	exec 7<&- 7>&-
	return 0
}

# first_reply PORT: sends stdin, prints the first 8 bytes of the answer
# in hex (magic, version, flags, type), then hangs up.
first_reply() {
	exec 7<>"/dev/tcp/127.0.0.1/$1" || return 1
	cat >&7 2>/dev/null
	timeout 5 head -c 8 <&7 | od -An -tx1 | tr -d " \n"
	echo
	exec 7<&- 7>&-
	return 0
}

# hdr VERSION FLAGS TYPE LEN: a frame header ("LVRP" magic, big endian),
# as printf escapes.
hdr() {
	printf 'LVRP\\x%02x\\x%02x\\x%02x\\x%02x\\x00\\x00\\x00\\x01\\x%02x\\x%02x\\x%02x\\x%02x' \
		"$1" "$2" $(($3 >> 8)) $(($3 & 255)) \
		$(($4 >> 24 & 255)) $(($4 >> 16 & 255)) $(($4 >> 8 & 255)) $(($4 & 255))
}

# frame TYPE BODY: a well-formed, unauthenticated frame.
frame() {
	printf "$(hdr 1 0 "$1" ${#2})%s" "$2"
}

# Both daemons must still be alive and serving.
daemons_fine() {
	lv_pid_alive "$ctld_pid" &&
	lv_pid_alive "$lvd_pid" &&
	lvcontrol ping >ping.out &&
	grep -q "is UP" ping.out &&
	lvinfo -h >info.out &&
	grep -q "^debug\* *up *infinite *1 *idle n1$" info.out
}

# ctld_log_has / lvd_log_has PATTERN: the log gets PATTERN within 5 s.
log_has() {
	_log_pat=$2
	_log_file=$1
	lv_wait_for 'grep -q -e "$_log_pat" "$_log_file"' 5 ||
		test_grep -e "$_log_pat" "$_log_file"
}
ctld_log_has() {
	log_has "$CLUSTER/lvctld.log" "$1"
}
lvd_log_has() {
	log_has "$CLUSTER/nodes/n1/lvd.log" "$1"
}

test_expect_success MUNGE 'start a 1-node cluster' '
	lv_cluster_up 1 &&
	ctld_port=$(lv_conf_get ControllerPort) &&
	lvd_port=$(sed -n "s/^NodeName=n1 .*Port=\([0-9]*\).*/\1/p" "$LV_CONF") &&
	ctld_pid=$(cat "$CLUSTER/lvctld.pid") &&
	lvd_pid=$(cat "$CLUSTER/nodes/n1/lvd.pid") &&
	test -n "$ctld_port" && test -n "$lvd_port" &&
	daemons_fine
'

test_expect_success MUNGE 'start a second munged with another key' '
	mkdir -m 0755 evil &&
	mungekey -c -f -k "$TRASH/evil/munge.key" &&
	lv_atexit "kill \$(cat \"$TRASH/evil/munged.pid\")" &&
	munged --key-file="$TRASH/evil/munge.key" \
		--socket="$TRASH/evil/munge.sock" \
		--pid-file="$TRASH/evil/munged.pid" \
		--log-file="$TRASH/evil/munged.log" \
		--seed-file="$TRASH/evil/munged.seed" &&
	lv_wait_for "test -S \"$TRASH/evil/munge.sock\"" 5 &&
	sed "s|^MungeSocket=.*|MungeSocket=$TRASH/evil/munge.sock|" \
		"$LV_CONF" >evil.conf &&
	test_grep "^MungeSocket=$TRASH/evil/munge.sock$" evil.conf
'

test_expect_success MUNGE 'a client with the wrong munge key is refused by lvctld' '
	test_must_fail lvinfo --config evil.conf >out 2>err &&
	test_grep "^lvinfo: error: .*authentication" err &&
	test_must_be_empty out &&
	ctld_log_has "auth: refused 127\.0\.0\.1:[0-9]*: munge: Invalid credential (14)$" &&
	test_must_fail lvcontrol --config=evil.conf ping >out &&
	test_grep "is DOWN (authentication refused by the server)" out &&
	test_must_fail lvcontrol --config=evil.conf update NodeName=n1 State=DOWN Reason=evil 2>err &&
	test_grep "authentication" err &&
	test_grep ! "set DOWN by" "$CLUSTER/lvctld.log" &&
	daemons_fine
'

test_expect_success MUNGE 'lvd refuses a client with the wrong munge key' '
	sed "s|^ControllerPort=.*|ControllerPort=$lvd_port|" evil.conf >evil-lvd.conf &&
	test_must_fail lvinfo --config evil-lvd.conf 2>err &&
	test_grep "authentication" err &&
	lvd_log_has "auth: refused 127\.0\.0\.1:[0-9]*: munge: Invalid credential (14)$" &&
	daemons_fine
'

# Each hostile input goes to both daemons; the exact log line proves the
# daemon saw and rejected it (not merely that nothing happened).
for target in ctld lvd; do
eval "port=\$${target}_port"

test_expect_success MUNGE "random bytes to $target are dropped" '
	head -c 65536 /dev/urandom | send_bytes $port &&
	${target}_log_has "rpc: dropping 127\.0\.0\.1:[0-9]*: bad frame magic 0x" &&
	daemons_fine
'

test_expect_success MUNGE "an HTTP request to $target is dropped" '
	printf "GET / HTTP/1.1\r\nHost: x\r\n\r\n" | send_bytes $port &&
	${target}_log_has "rpc: dropping 127\.0\.0\.1:[0-9]*: bad frame magic 0x47455420$" &&
	daemons_fine
'

test_expect_success MUNGE "a frame of an unknown version to $target is dropped" '
	printf "$(hdr 2 0 1 2){}" | send_bytes $port &&
	${target}_log_has "rpc: dropping 127\.0\.0\.1:[0-9]*: unsupported protocol version 2 (this is 1)$" &&
	daemons_fine
'

test_expect_success MUNGE "unknown frame flags to $target are dropped" '
	printf "$(hdr 1 240 1 2){}" | send_bytes $port &&
	${target}_log_has "rpc: dropping 127\.0\.0\.1:[0-9]*: unknown frame flags 0xf0$" &&
	daemons_fine
'

test_expect_success MUNGE "an oversized length field to $target is dropped" '
	printf "$(hdr 1 0 1 4294967295)" | send_bytes $port &&
	${target}_log_has "rpc: dropping 127\.0\.0\.1:[0-9]*: frame body of 4294967295 bytes exceeds the limit of 16777216$" &&
	printf "$(hdr 1 0 1 16777217)" | send_bytes $port &&
	${target}_log_has "frame body of 16777217 bytes exceeds the limit" &&
	daemons_fine
'

test_expect_success MUNGE "a truncated frame then close does not hurt $target" '
	printf "$(hdr 1 0 1 100){\"cred\":" | send_and_close $port &&
	printf "LVRP\\x01" | send_and_close $port &&
	daemons_fine
'

test_expect_success MUNGE "a request before the handshake to $target is refused" '
	frame 2 "{}" | send_bytes $port &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: PING before authentication$" &&
	daemons_fine
'

test_expect_success MUNGE "bad handshakes to $target are refused" '
	frame 1 "not json" | send_bytes $port &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: bad hello: " &&
	frame 1 "{}" | send_bytes $port &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: hello without a credential$" &&
	frame 1 "{\"cred\":\"MUNGE:AwQFAAA=:\"}" | send_bytes $port &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: munge: " &&
	daemons_fine
'

test_expect_success MUNGE "a replayed credential to $target is refused" '
	secret=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d " \n" | head -c 32) &&
	cred=$(munge -S "$CLUSTER/munge/munge.sock" -s "$secret") &&
	frame 1 "{\"cred\":\"$cred\"}" >hello &&
	first_reply $port <hello >reply &&
	echo 4c56525001090001 >expect &&
	test_cmp expect reply &&
	first_reply $port <hello >reply &&
	echo 4c56525001050001 >expect &&
	test_cmp expect reply &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: munge: Replayed credential (17)$" &&
	cred=$(munge -S "$CLUSTER/munge/munge.sock" -n) &&
	frame 1 "{\"cred\":\"$cred\"}" | send_bytes $port &&
	${target}_log_has "auth: refused 127\.0\.0\.1:[0-9]*: munge: credential payload of 0 bytes is not a session secret$" &&
	daemons_fine
'

done

test_expect_success MUNGE 'many hostile connections at once leave both daemons up' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		{ head -c 4096 /dev/urandom | send_bytes $ctld_port; } &
		{ head -c 4096 /dev/urandom | send_bytes $lvd_port; } &
		{ printf "$(hdr 1 0 1 50)abc" | send_and_close $ctld_port; } &
	done &&
	wait &&
	daemons_fine
'

test_expect_success NOBODY 'nobody can read the cluster state' '
	as_nobody lvinfo -h >out 2>err &&
	test_grep "idle n1$" out
'

test_expect_success NOBODY 'nobody may not drain a node' '
	test_must_fail as_nobody lvcontrol update NodeName=n1 State=DRAIN Reason=evil >out 2>err &&
	test_grep "^lvcontrol: error: permission denied: NODE_UPDATE requires an administrator$" err &&
	ctld_log_has "rpc: permission denied: uid=65534 from 127\.0\.0\.1:[0-9]* may not NODE_UPDATE$" &&
	test_grep ! "n1 set DRAIN" "$CLUSTER/lvctld.log" &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *1 *idle n1$" out &&
	lvcontrol show node n1 >out &&
	test_grep "State=IDLE " out &&
	test_grep ! "Reason=" out
'

test_expect_success NOBODY 'nobody may not set a node down or reconfigure' '
	test_must_fail as_nobody lvcontrol update NodeName=n1 State=DOWN Reason=evil 2>err &&
	test_grep "permission denied: NODE_UPDATE requires an administrator" err &&
	test_must_fail as_nobody lvcontrol reconfigure 2>err &&
	test_grep "^lvcontrol: error: permission denied: RECONFIGURE requires an administrator$" err &&
	ctld_log_has "rpc: permission denied: uid=65534 from 127\.0\.0\.1:[0-9]* may not RECONFIGURE$" &&
	test_grep ! "SIGHUP\|conf: reloaded" "$CLUSTER/lvctld.log" &&
	daemons_fine
'

test_expect_success MUNGE 'root may drain and resume a node' '
	lvcontrol update NodeName=n1 State=DRAIN Reason="root test" &&
	ctld_log_has "node: n1 set DRAIN by uid=0 reason=root test$" &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *1 *drain n1$" out &&
	lvcontrol update NodeName=n1 State=RESUME &&
	lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *1 *idle n1$" out
'

test_done
