#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='task binding: --cpu-bind (verbose) masks on a simulated pack:2 core:4 pu:2 node for threads, cores, sockets, map_cpu and mask_cpu, block and cyclic distributions, --hint=nomultithread; on the real host the binding holds (Cpus_allowed_list); bad specifications are refused'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

test "$(grep -c "^processor" /proc/cpuinfo)" -ge 2 && test_set_prereq TWO_CPUS

# masks FILE: the verbose masks in FILE, in task order, on one line.
masks() {
	sed -n "s/^cpu-bind=MASK - n1, task *\([0-9]*\) *[0-9]* \[[0-9]*\]: mask \(0x[0-9a-f]*\) set\$/\1 \2/p" "$1" |
		sort -n | cut -d" " -f2 | tr "\n" " " | sed "s/ \$//"
}

# bind4 OPTIONS...: four tasks on the whole node; prints their masks.
bind4() {
	lvrun -N 1 -n 4 --exclusive "$@" true 2>bind.err &&
	cat bind.err >&4 &&
	masks bind.err
}

test_expect_success MUNGE 'start a simulated pack:2 core:4 pu:2 node' '
	LV_CLUSTER_DIR=$TRASH/sim lv_cluster_up 1 --sim "pack:2 core:4 pu:2"
'

test_expect_success MUNGE 'cores, block:block: consecutive cores' '
	test "$(bind4 --cpu-bind=verbose,cores -m block:block)" = "0x3 0xc 0x30 0xc0"
'

test_expect_success MUNGE 'cores, block:cyclic: sockets in turn' '
	test "$(bind4 --cpu-bind=verbose,cores -m block:cyclic)" = "0x3 0x300 0xc 0xc00"
'

test_expect_success MUNGE 'cores, default distribution is block:cyclic (Slurm'"'"'s)' '
	test "$(bind4 --cpu-bind=verbose,cores)" = "0x3 0x300 0xc 0xc00"
'

test_expect_success MUNGE 'threads: one PU each, block and cyclic' '
	test "$(bind4 --cpu-bind=verbose,threads -m block:block)" = "0x1 0x2 0x4 0x8" &&
	test "$(bind4 --cpu-bind=verbose,threads -m block:cyclic)" = "0x1 0x100 0x2 0x200"
'

test_expect_success MUNGE 'threads with -c 2: two PUs each' '
	test "$(bind4 -c 2 --cpu-bind=verbose,threads -m block:block)" = "0x3 0xc 0x30 0xc0"
'

test_expect_success MUNGE 'sockets: the whole socket of the task'"'"'s CPU' '
	test "$(bind4 --cpu-bind=verbose,sockets -m block:cyclic)" = "0xff 0xff00 0xff 0xff00" &&
	test "$(bind4 --cpu-bind=verbose,sockets -m block:block)" = "0xff 0xff 0xff 0xff"
'

test_expect_success MUNGE '--hint=nomultithread: the first thread of each core' '
	test "$(bind4 --hint=nomultithread --cpu-bind=verbose,cores -m block:block)" = "0x1 0x4 0x10 0x40"
'

test_expect_success MUNGE 'map_cpu and mask_cpu: entries by local task id, wrapping' '
	test "$(bind4 --cpu-bind=verbose,mask_cpu:0x3,0xc0)" = "0x3 0xc0 0x3 0xc0" &&
	lvrun -N 1 -n 3 --exclusive --cpu-bind=verbose,map_cpu:3,5 true 2>map.err &&
	test "$(sed -n "s/^cpu-bind=MAP  - n1, task *\([0-9]*\) .*: mask \(0x[0-9a-f]*\) set\$/\1 \2/p" map.err | sort -n | cut -d" " -f2 | tr "\n" " ")" = "0x8 0x20 0x8 "
'

test_expect_success MUNGE 'without verbose nothing is printed; none prints NONE' '
	lvrun -N 1 -n 2 --cpu-bind=cores true 2>quiet.err &&
	test_must_be_empty quiet.err &&
	lvrun -N 1 -n 1 --cpu-bind=verbose,none true 2>none.err &&
	test_grep "^cpu-bind=NONE - n1, task  0  0 \[[0-9]*\]: mask 0x[0-9a-f]*\$" none.err
'

test_expect_success MUNGE 'bad --cpu-bind, --distribution and --mem-bind are refused' '
	test_must_fail lvrun --cpu-bind=bogus true 2>e1 &&
	test_grep "Invalid --cpu-bind specification: bogus" e1 &&
	test_must_fail lvrun -m diagonal true 2>e2 &&
	test_grep "Invalid --distribution specification: diagonal" e2 &&
	test_must_fail lvrun --mem-bind=far true 2>e3 &&
	test_grep "Invalid --mem-bind specification: far" e3
'

test_expect_success MUNGE,TWO_CPUS 'on the real host the binding holds: two tasks, one CPU each' '
	lv_cluster_down "$CLUSTER" &&
	lv_cluster_up 1 --cpus 2 &&
	lvrun -n 2 --exclusive --cpu-bind=verbose,threads -l grep Cpus_allowed_list /proc/self/status >real.out 2>real.err &&
	cat real.out real.err >&4 &&
	l0=$(sed -n "s/^0: Cpus_allowed_list:[[:space:]]*//p" real.out) &&
	l1=$(sed -n "s/^1: Cpus_allowed_list:[[:space:]]*//p" real.out) &&
	test -n "$l0" && test -n "$l1" && test "$l0" != "$l1" &&
	case "$l0$l1" in *-*|*,*) false ;; esac &&
	sed "s/^[0-9]*: //" real.err >real.nolabel &&
	test "$(masks real.nolabel)" = "0x1 0x2"
'

test_done
