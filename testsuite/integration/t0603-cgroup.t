#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='cgroups: a batch job runs in memory and cpuacct cgroups; over its --mem it is OOM-killed and ends OUT_OF_MEMORY while its neighbour completes; MaxRSS comes from the cgroup; the cgroups and what the job left running are gone when it ends'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

# CGROUP: root may make cgroup v1 memory and cpuacct groups here.
test_have_prereq ROOT && test -d /sys/fs/cgroup/memory &&
	test -d /sys/fs/cgroup/cpuacct &&
	mkdir -p /sys/fs/cgroup/memory/leviathan /sys/fs/cgroup/cpuacct/leviathan 2>/dev/null &&
	test_set_prereq CGROUP

# submit ARGS...: submits a job and prints its id.
submit() {
	lvbatch --parsable "$@"
}

acct_field() {
	lvacct -X -n -P -j "$1" -o "$2"
}

wait_acct() {
	lv_wait_for "test -n \"\$(acct_field $1 State)\"" 10
}

# cg_dir CONTROLLER: n1's level of CONTROLLER's leviathan hierarchy.
cg_dir() {
	echo "/sys/fs/cgroup/$1/leviathan/n1@$(lvd_port)"
}

# lvd_port: the port n1's lvd serves (from its start line).
lvd_port() {
	sed -n "s/.*serving .* port \([0-9]*\),.*/\1/p" "$CLUSTER/nodes/n1/lvd.log" | tail -n 1
}

# no_job_groups: n1 has no job_* groups left in either controller.
no_job_groups() {
	! ls -d "$(cg_dir memory)"/job_* "$(cg_dir cpuacct)"/job_* 2>/dev/null
}

test_expect_success MUNGE,CGROUP 'start a 1-node cluster with 2 CPUs' '
	lv_cluster_up 1 --cpus 2 --extra KillWait=2 &&
	test -n "$(lvd_port)"
'

test_expect_success MUNGE,CGROUP 'lvd confines jobs (no "not available" in its log)' '
	! grep "memory controller not available" "$CLUSTER/nodes/n1/lvd.log"
'

test_expect_success MUNGE,CGROUP 'a running job is in its groups, limited to its --mem' '
	id=$(submit --mem=64M -o /dev/null --wrap "echo \$\$ >$PWD/in.pid; sleep 30") &&
	wait_state $id RUNNING &&
	pid=$(wait_pid_file in.pid) &&
	test_grep "^memory:/leviathan/n1@$(lvd_port)/job_$id\$" <(tr , "\n" </proc/$pid/cgroup | sed "s/^[0-9]*://") &&
	test "$(cat "$(cg_dir memory)/job_$id/memory.limit_in_bytes")" = $((64 << 20)) &&
	test -d "$(cg_dir cpuacct)/job_$id" &&
	lvcancel $id &&
	wait_state $id CANCELLED &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'a job over its --mem ends OUT_OF_MEMORY; its neighbour completes' '
	nb=$(submit --mem=64M -o "$PWD/nb.out" --wrap "sleep 3; echo neighbour done") &&
	big=$(submit --mem=64M -o "$PWD/big.out" --wrap "a=\$(head -c 200000000 /dev/zero | tr \"\\\\0\" x); echo \${#a}") &&
	wait_state $big OUT_OF_MEMORY 20 &&
	test "$(job_field $big %r)" = OutOfMemory &&
	wait_done $nb &&
	test_grep "^neighbour done$" nb.out &&
	wait_acct $big &&
	test "$(acct_field $big State)" = OUT_OF_MEMORY &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'a job within its --mem completes; MaxRSS from the cgroup is at least 40M' '
	m=$(submit --mem=200M -o /dev/null --wrap "x=\$(head -c 50000000 /dev/zero | tr \"\\\\0\" a); echo \${#x}; sleep 1") &&
	wait_done $m &&
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
	test "$(grep "^$m.batch|" out | cut -d"|" -f3)" != "00:00.000" &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'kill -9 of the job shell: its cgroups and its background sleep are gone' '
	k=$(submit -o /dev/null --wrap "sleep 300 & echo \$! >$PWD/bg.pid; sleep 1; kill -9 \$\$") &&
	bg=$(wait_pid_file bg.pid) &&
	wait_state $k FAILED 15 &&
	lv_wait_for "! lv_pid_alive $bg" 10 &&
	lv_wait_for no_job_groups 10
'

test_expect_success MUNGE,CGROUP 'a job that ends while its lvd is down: its supervisor removes its cgroups' '
	r=$(submit -o /dev/null --wrap "echo \$\$ >$PWD/r.pid; sleep 2") &&
	wait_state $r RUNNING &&
	wait_pid_file r.pid &&
	lvd_pid=$(cat "$CLUSTER/nodes/n1/lvd.pid") &&
	kill -9 $lvd_pid &&
	lv_wait_for "! lv_pid_alive $lvd_pid" 10 &&
	test -d "$(cg_dir memory)/job_$r" &&
	lv_wait_for no_job_groups 10 &&
	lvd -f "$LV_CONF" -N n1 &&
	wait_done $r
'

test_done
