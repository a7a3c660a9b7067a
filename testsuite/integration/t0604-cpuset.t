#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='consumable cores: grants name exact PUs (CPU_IDs), two jobs never share a CPU and each runs confined to its own (cgroup v1 cpuset), node states follow the PUs, --exclusive takes the node, grants survive a controller restart, cpuset groups go with their jobs'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# CPUSET: root may make cgroup v1 groups here, cpuset included.
test_have_prereq ROOT && test -d /sys/fs/cgroup/memory &&
	test -d /sys/fs/cgroup/cpuacct && test -d /sys/fs/cgroup/cpuset &&
	mkdir -p /sys/fs/cgroup/cpuset/leviathan 2>/dev/null &&
	test_set_prereq CPUSET
# The host must have two CPUs for the two jobs.
test "$(grep -c "^processor" /proc/cpuinfo)" -ge 2 && test_set_prereq TWO_CPUS

submit() {
	lvbatch --parsable "$@"
}

# cpu_ids ID: the CPU_IDs of the job's first node in "lvcontrol show job".
cpu_ids() {
	lvcontrol show job "$1" | sed -n "s/.* CPU_IDs=\([^ ]*\) .*/\1/p" | head -n 1
}

# node_state NODE: the node's state as "lvinfo -N" prints it.
node_state() {
	lvinfo -N -h -n "$1" | awk -v n="$1" '$1 == n { print $4 }'
}

# os_cpus LIST: the OS numbers of logical PUs LIST (hwloc's numbering).
os_cpus() {
	local out="" p
	for p in $(echo "$1" | tr , " "); do
		out="$out${out:+,}$(hwloc-calc --physical-output -I pu "pu:$p")"
	done
	echo "$out"
}

lvd_port() {
	sed -n "s/.*serving .* port \([0-9]*\),.*/\1/p" "$CLUSTER/nodes/n1/lvd.log" | tail -n 1
}

no_cpuset_groups() {
	! ls -d /sys/fs/cgroup/cpuset/leviathan/n1@$(lvd_port)/job_* 2>/dev/null
}

ctld_restart() {
	local pid
	pid=$(cat "$CLUSTER/lvctld.pid") &&
	kill -KILL "$pid" &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	lvctld -f "$LV_CONF" &&
	lv_wait_for "lvcontrol ping >/dev/null 2>&1" 10
}

test_expect_success MUNGE,TWO_CPUS 'start a 1-node cluster with 2 CPUs' '
	lv_cluster_up 1 --cpus 2 --extra KillWait=2
'

test_expect_success MUNGE,TWO_CPUS 'two 1-CPU jobs get different CPUs; the node is ALLOCATED, then MIXED, then IDLE' '
	a=$(submit -n 1 -o "$PWD/a.out" --wrap "grep Cpus_allowed_list /proc/self/status; touch $PWD/a.go; while test -e $PWD/a.go; do sleep 0.2; done") &&
	b=$(submit -n 1 -o "$PWD/b.out" --wrap "grep Cpus_allowed_list /proc/self/status; touch $PWD/b.go; while test -e $PWD/b.go; do sleep 0.2; done") &&
	wait_state $a RUNNING && wait_state $b RUNNING &&
	ida=$(cpu_ids $a) && idb=$(cpu_ids $b) &&
	echo "a=$ida b=$idb" >&4 &&
	test -n "$ida" && test -n "$idb" && test "$ida" != "$idb" &&
	test "$(node_state n1)" = alloc &&
	lv_wait_for "test -e a.go" 10 && rm a.go &&
	wait_done $a &&
	test "$(node_state n1)" = mix &&
	lv_wait_for "test -e b.go" 10 && rm b.go &&
	wait_done $b &&
	lv_wait_for "test \"\$(node_state n1)\" = idle" 10 &&
	echo "$ida" >ida && echo "$idb" >idb
'

test_expect_success MUNGE,TWO_CPUS,CPUSET 'each job ran confined to the CPU of its grant' '
	cat a.out b.out >&4 &&
	test "$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" a.out)" = "$(os_cpus "$(cat ida)")" &&
	test "$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" b.out)" = "$(os_cpus "$(cat idb)")" &&
	lv_wait_for no_cpuset_groups 10
'

test_expect_success MUNGE,TWO_CPUS 'a third job waits for a CPU and gets the one that was freed' '
	x=$(submit -n 1 -o /dev/null --wrap "touch $PWD/x.go; while test -e $PWD/x.go; do sleep 0.2; done") &&
	y=$(submit -n 1 -o /dev/null --wrap "touch $PWD/y.go; while test -e $PWD/y.go; do sleep 0.2; done") &&
	wait_state $x RUNNING && wait_state $y RUNNING &&
	z=$(submit -n 1 -o /dev/null --wrap "true") &&
	lv_wait_for "test \"\$(job_field $z %r)\" = Resources" 10 &&
	idx=$(cpu_ids $x) &&
	lv_wait_for "test -e x.go" 10 && rm x.go &&
	wait_done $z &&
	test "$(lvcontrol show job $z | sed -n "s/.* CPU_IDs=\([^ ]*\) .*/\1/p")" = "$idx" &&
	lv_wait_for "test -e y.go" 10 && rm y.go &&
	wait_done $y
'

test_expect_success MUNGE,TWO_CPUS 'a grant survives a controller restart: a new job gets the other CPU' '
	p=$(submit -n 1 -o /dev/null --wrap "touch $PWD/p.go; while test -e $PWD/p.go; do sleep 0.2; done") &&
	q=$(submit -n 1 -o /dev/null --wrap "touch $PWD/q.go; while test -e $PWD/q.go; do sleep 0.2; done") &&
	wait_state $p RUNNING && wait_state $q RUNNING &&
	idq=$(cpu_ids $q) &&
	lvcancel $p && wait_state $p CANCELLED &&
	ctld_restart &&
	test "$(cpu_ids $q)" = "$idq" &&
	lv_wait_for "test \"\$(node_state n1)\" = mix" 10 &&
	r=$(submit -n 1 -o /dev/null --wrap "touch $PWD/r.go; while test -e $PWD/r.go; do sleep 0.2; done") &&
	wait_state $r RUNNING &&
	test "$(cpu_ids $r)" != "$idq" &&
	test "$(node_state n1)" = alloc &&
	lvcancel $q $r && wait_state $q CANCELLED && wait_state $r CANCELLED
'

test_expect_success MUNGE,TWO_CPUS '--exclusive takes every CPU of the node; a 1-CPU job waits' '
	e=$(submit --exclusive -n 1 -o "$PWD/e.out" --wrap "grep Cpus_allowed_list /proc/self/status; touch $PWD/e.go; while test -e $PWD/e.go; do sleep 0.2; done") &&
	wait_state $e RUNNING &&
	test "$(cpu_ids $e)" = 0-1 &&
	test "$(node_state n1)" = alloc &&
	f=$(submit -n 1 -o /dev/null --wrap true) &&
	lv_wait_for "test \"\$(job_field $f %r)\" = Resources" 10 &&
	lv_wait_for "test -e e.go" 10 && rm e.go &&
	wait_done $e && wait_done $f
'

test_expect_success MUNGE,TWO_CPUS,CPUSET 'the cpuset groups are gone after the jobs' '
	lv_wait_for no_cpuset_groups 10
'

test_expect_success MUNGE 'a simulated pack:2 core:4 pu:2 node: tasks pack into a socket, whole cores for --hint=nomultithread' '
	lv_cluster_down "$CLUSTER" &&
	LV_CLUSTER_DIR=$TRASH/sim lv_cluster_up 1 --sim "pack:2 core:4 pu:2" &&
	lv_wait_for "test \"\$(node_state n1)\" = idle" 10 &&
	s1=$(submit -n 3 -o /dev/null --wrap "sleep 30") &&
	wait_state $s1 RUNNING &&
	test "$(cpu_ids $s1)" = 0-2 &&
	s2=$(submit -n 1 -o /dev/null --wrap "sleep 30") &&
	wait_state $s2 RUNNING &&
	test "$(cpu_ids $s2)" = 3 &&
	s3=$(submit -n 2 -c 2 -o /dev/null --wrap "sleep 30") &&
	wait_state $s3 RUNNING &&
	test "$(cpu_ids $s3)" = 4-7 &&
	s4=$(submit -n 2 --hint=nomultithread -o /dev/null --wrap "sleep 30") &&
	wait_state $s4 RUNNING &&
	test "$(cpu_ids $s4)" = 8-11 &&
	s5=$(submit -n 2 --ntasks-per-socket=1 -o /dev/null --wrap "sleep 30") &&
	lv_wait_for "test \"\$(job_field $s5 %r)\" = Resources" 10 &&
	lvcancel $s1 &&
	wait_state $s5 RUNNING &&
	test "$(cpu_ids $s5)" = 2,12 &&
	test "$(lvcontrol show job $s4 | grep -c "Nodes=n1 CPU_IDs=8-11 ")" = 1 &&
	lvcancel $s2 $s3 $s4 $s5 &&
	for s in $s2 $s3 $s4 $s5; do wait_state $s CANCELLED || return 1; done &&
	lv_wait_for "test \"\$(node_state n1)\" = idle" 10
'

test_done
