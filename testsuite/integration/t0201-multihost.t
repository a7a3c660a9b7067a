#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='a cluster over a real (namespaced) network: lvctld and 3 lvd on 4 hosts'

. "$(dirname "$0")/sharness.sh"

# Four "hosts" (network namespaces) with one veth each into a fifth,
# "switch" namespace that holds a bridge.  Nothing stays in the root
# namespace.  Names are unique per run (other tests may share the
# machine) and at most 15 characters.
P=lv$$
SW=${P}sw
X=$(($$ % 250 + 1))
NET=10.77.$X
PORT=6817

host_ns() {
	echo "${P}h$1"
}

in_host() {
	local h=$1
	shift
	ip netns exec "$(host_ns "$h")" "$@"
}

# Deletes by name everything this script may have created; safe to run
# more than once and after a partial setup.
netns_cleanup() {
	local i
	for i in 1 2 3 4; do
		ip link del "${P}a$i" 2>/dev/null
		ip link del "${P}b$i" 2>/dev/null
		ip netns del "$(host_ns $i)" 2>/dev/null
	done
	ip netns del "$SW" 2>/dev/null
	return 0
}

# NETNS: root, "ip netns" works, and the kernel has bridges and veths.
netns_probe() {
	local ns=${P}probe rc
	ip netns add "$ns" 2>/dev/null || return 1
	ip -n "$ns" link add br0 type bridge 2>/dev/null &&
		ip -n "$ns" link add va type veth peer name vb 2>/dev/null
	rc=$?
	ip netns del "$ns"
	return $rc
}
if test_have_prereq ROOT && command -v ip >/dev/null 2>&1 && netns_probe; then
	test_set_prereq NETNS
fi

test_expect_success NETNS,MUNGE 'build 4 hosts and a switch' '
	lv_atexit netns_cleanup &&
	ip netns add "$SW" &&
	ip -n "$SW" link add br0 type bridge &&
	ip -n "$SW" link set br0 up &&
	for i in 1 2 3 4; do
		ns=$(host_ns $i) &&
		ip netns add "$ns" &&
		ip link add "${P}a$i" type veth peer name "${P}b$i" &&
		ip link set "${P}a$i" netns "$ns" &&
		ip link set "${P}b$i" netns "$SW" &&
		ip -n "$ns" link set "${P}a$i" name eth0 &&
		ip -n "$ns" addr add "$NET.$i/24" dev eth0 &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" link set lo up &&
		ip -n "$SW" link set "${P}b$i" master br0 &&
		ip -n "$SW" link set "${P}b$i" up || return 1
	done
'

test_expect_success NETNS,MUNGE 'nothing was added to the root namespace' '
	ip -o link show >links &&
	test_grep ! "$P" links &&
	ip netns list >nslist &&
	test $(grep -c "^$P" nslist) -eq 5
'

test_expect_success NETNS,MUNGE 'the hosts reach each other over the bridge' '
	in_host 2 ip -o addr show dev eth0 >addr &&
	test_grep "inet $NET.2/24" addr &&
	in_host 1 ip route get "$NET.4" >route &&
	test_grep "dev eth0" route &&
	test_must_fail in_host 1 ip route get 192.0.2.1 2>err &&
	test_grep "unreachable" err
'

test_expect_success NETNS,MUNGE 'start munged on the host' '
	C=$TRASH/cluster &&
	mkdir -p -m 0755 "$C" "$C/munge" "$C/nodes" &&
	lv_atexit "lv_cluster_down \"$C\"" &&
	mungekey -c -f -k "$C/munge/munge.key" &&
	munged --key-file="$C/munge/munge.key" --socket="$C/munge/munge.sock" \
		--pid-file="$C/munge/munged.pid" --log-file="$C/munge/munged.log" \
		--seed-file="$C/munge/munged.seed" &&
	lv_wait_for "test -S \"$C/munge/munge.sock\"" 5
'

test_expect_success NETNS,MUNGE 'write the configuration' '
	cat >"$C/leviathan.conf" <<-EOF &&
	ClusterName=multi
	ControllerHost=h1
	ControllerAddr=$NET.1
	ControllerPort=$PORT
	StateDir=$C/ctld
	LogFile=$C/lvctld.log
	PidFile=$C/lvctld.pid
	NodeStateDir=$C/nodes/%n
	NodeLogFile=$C/nodes/%n/lvd.log
	NodePidFile=$C/nodes/%n/lvd.pid
	MungeSocket=$C/munge/munge.sock
	HeartbeatInterval=1
	NodeTimeout=3
	MessageTimeout=5
	NodeName=h2 NodeAddr=$NET.2 Port=$((PORT + 1))
	NodeName=h3 NodeAddr=$NET.3 Port=$((PORT + 1))
	NodeName=h4 NodeAddr=$NET.4 Port=$((PORT + 1))
	PartitionName=debug Nodes=h[2-4] Default=YES MaxTime=UNLIMITED State=UP
	EOF
	LV_CONF=$C/leviathan.conf &&
	export LV_CONF
'

test_expect_success NETNS,MUNGE 'start lvctld in host 1 and lvd in hosts 2-4' '
	in_host 1 lvctld -f "$LV_CONF" &&
	test_grep "listening on $NET.1:$PORT, 3 nodes" "$C/lvctld.log" &&
	for i in 2 3 4; do
		in_host $i lvd -f "$LV_CONF" -N h$i || return 1
	done
'

test_expect_success NETNS,MUNGE 'the CLI in host 1 sees 3 idle nodes' '
	cat >expect <<-\EOF &&
	PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST
	debug*       up   infinite      3   idle h[2-4]
	EOF
	lv_wait_for "in_host 1 lvinfo -h -t idle | grep -q \" 3 *idle h\[2-4\]$\"" 10 &&
	in_host 1 lvinfo >out &&
	test_cmp expect out
'

test_expect_success NETNS,MUNGE 'the CLI in another host works over the bridge' '
	in_host 3 lvcontrol ping >out &&
	test_grep "lvctld at h1:$PORT is UP (cluster multi" out &&
	in_host 4 lvcontrol show node h2 >out &&
	test_grep "^NodeName=h2 NodeAddr=$NET.2 Port=$((PORT + 1)) " out &&
	test_grep "^   State=IDLE " out
'

test_expect_success NETNS,MUNGE 'each daemon listens in its own host only' '
	in_host 1 ss -Htln "sport = :$PORT" >ctld.ss &&
	test_grep "$NET.1:$PORT" ctld.ss &&
	in_host 3 ss -Htln "sport = :$((PORT + 1))" >lvd.ss &&
	test_grep "$NET.3:$((PORT + 1))" lvd.ss &&
	in_host 3 ss -Htn state established >est &&
	test_grep "$NET.1:$PORT" est
'

test_expect_success NETNS,MUNGE 'a killed lvd goes down*' '
	kill -KILL $(cat "$C/nodes/h3/lvd.pid") &&
	lv_wait_for "in_host 1 lvinfo -N -h | grep -q \"^h3 .* down\* *$\"" 6 &&
	in_host 1 lvinfo -R -h >out &&
	test_grep "^Not responding .* h3$" out &&
	in_host 1 lvinfo -h >out &&
	test_grep "^debug\* *up *infinite *2 *idle h\[2,4\]$" out
'

test_expect_success NETNS,MUNGE 'a restarted lvd comes back' '
	in_host 3 lvd -f "$LV_CONF" -N h3 &&
	lv_wait_for "in_host 1 lvinfo -h | grep -q \" 3 *idle h\[2-4\]$\"" 10
'

test_expect_success NETNS,MUNGE 'stop everything and delete the namespaces' '
	lv_cluster_down "$C" &&
	for f in "$C/lvctld.pid" "$C"/nodes/*/lvd.pid "$C/munge/munged.pid"; do
		test_path_is_missing "$f" || return 1
	done &&
	netns_cleanup &&
	ip netns list >nslist &&
	test_grep ! "^$P" nslist &&
	ip -o link show >links &&
	test_grep ! "$P" links
'

test_done
