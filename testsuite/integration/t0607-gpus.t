#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='GPUs: simulated nodes with Gres=gpu:4; --gres=gpu:N grants exact GPU indices (GRES= in show job, GresUsed on the node), CUDA_VISIBLE_DEVICES/GPU_DEVICE_ORDINAL in the job and its tasks, --gpus-per-task splits them per task, jobs wait for GPUs, grants survive a controller restart, impossible and bad requests are refused'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

submit() {
	lvbatch --parsable "$@"
}

# gres ID: the GRES= of the job's first node in "lvcontrol show job".
gres() {
	lvcontrol show job "$1" | sed -n "s/.* GRES=\([^ ]*\)\$/\1/p" | head -n 1
}

node_state() {
	lvinfo -N -h -n "$1" | awk -v n="$1" '$1 == n { print $4 }'
}

ctld_restart() {
	local pid
	pid=$(cat "$CLUSTER/lvctld.pid") &&
	kill -KILL "$pid" &&
	lv_wait_for "! lv_pid_alive $pid" 10 &&
	lvctld -f "$LV_CONF" &&
	lv_wait_for "lvcontrol ping >/dev/null 2>&1" 10
}

# hold ID-FILE: a job script that runs until FILE.go is removed.
hold() {
	echo "echo gpus=\$CUDA_VISIBLE_DEVICES ord=\$GPU_DEVICE_ORDINAL; touch $PWD/$1.go; while test -e $PWD/$1.go; do sleep 0.2; done"
}

test_expect_success MUNGE 'start two simulated nodes with 4 PUs and Gres=gpu:4' '
	LV_CLUSTER_DIR=$TRASH/sim lv_cluster_up 2 --sim "pack:1 core:4 pu:1" --node-extra "Gres=gpu:4" &&
	lv_wait_for "lvcontrol show node n1 | grep -q \"Gres=gpu:4 GresUsed=gpu:0\"" 30 &&
	! lvcontrol show node n1 | grep -q DRAIN
'

test_expect_success MUNGE 'two --gres=gpu:2 jobs on n1 get GPUs 0-1 and 2-3; a third waits' '
	a=$(submit -w n1 --gres=gpu:2 -o "$PWD/a.out" --wrap "$(hold a)") &&
	lv_wait_for "test -e a.go" 10 &&
	b=$(submit -w n1 --gres=gpu:2 -o "$PWD/b.out" --wrap "$(hold b)") &&
	lv_wait_for "test -e b.go" 10 &&
	test "$(gres $a)" = "gpu:2(IDX:0-1)" &&
	test "$(gres $b)" = "gpu:2(IDX:2-3)" &&
	test_grep "^gpus=0,1 ord=0,1$" a.out &&
	test_grep "^gpus=2,3 ord=2,3$" b.out &&
	lvcontrol show node n1 | grep -q "GresUsed=gpu:4" &&
	c=$(submit -w n1 --gres=gpu:1 -o "$PWD/c.out" --wrap "echo gpus=\$CUDA_VISIBLE_DEVICES") &&
	lv_wait_for "test \"\$(job_field $c %r)\" = Resources" 10 &&
	rm a.go && wait_done $a &&
	wait_done $c &&
	test_grep "^gpus=0$" c.out &&
	rm b.go && wait_done $b
'

test_expect_success MUNGE 'a GPU grant survives a controller restart' '
	p=$(submit -w n2 --gres=gpu:3 -o /dev/null --wrap "$(hold p)") &&
	lv_wait_for "test -e p.go" 10 &&
	ctld_restart &&
	test "$(gres $p)" = "gpu:3(IDX:0-2)" &&
	lv_wait_for "test \"\$(node_state n2)\" = mix && test \"\$(node_state n1)\" = idle" 10 &&
	q=$(submit -w n2 --gres=gpu:1 -o "$PWD/q.out" --wrap "echo gpus=\$CUDA_VISIBLE_DEVICES") &&
	wait_done $q &&
	test_grep "^gpus=3$" q.out &&
	rm p.go && wait_done $p
'

test_expect_success MUNGE '--gpus-per-task=1: each task sees its own GPU' '
	lvrun -N 1 -n 2 --gpus-per-task=1 -l sh -c "echo \$CUDA_VISIBLE_DEVICES" >gpt.out &&
	test "$(sort gpt.out | tr "\n" " ")" = "0: 0 1: 1 "
'

test_expect_success MUNGE 'a job without GPUs gets no CUDA_VISIBLE_DEVICES' '
	n=$(submit -o "$PWD/n.out" --wrap "echo gpus=\${CUDA_VISIBLE_DEVICES-unset}") &&
	wait_done $n &&
	test_grep "^gpus=unset$" n.out
'

test_expect_success MUNGE 'more GPUs than a node has, or another gres, is refused' '
	test_must_fail lvbatch --gres=gpu:5 --wrap true 2>e1 &&
	test_grep "Requested node configuration is not available" e1 &&
	test_must_fail lvbatch --gres=fpga:1 --wrap true 2>e2 &&
	test_grep "Invalid generic resource (gres) specification: fpga:1" e2
'

test_done
