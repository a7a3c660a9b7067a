#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='Lua policy: the shipped lua/ examples change outcomes through each hook (job_submit partition and time limit, rejection text reaching lvbatch, GPU routing, job_modify, rack placement, fair-share priority), require from the script folder, lvcontrol show policy'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

LUA_DIR=$top_srcdir/lua
POLICY=$TRASH/policy/policy.lua

# use_policy EXAMPLE [SED]: makes lua/EXAMPLE.lua (edited by SED) the
# active script, with util.lua beside it, and reloads.
use_policy() {
	mkdir -p "$TRASH/policy" &&
	cp "$LUA_DIR/util.lua" "$TRASH/policy/util.lua" &&
	sed -e "${2:-}" "$LUA_DIR/$1.lua" >"$POLICY" &&
	lvcontrol reconfigure 2>reconf.err &&
	test_must_be_empty reconf.err
}

# policy_has REGEX: lvcontrol show policy has a line matching REGEX.
policy_has() {
	lvcontrol show policy >policy.out &&
	test_grep "$1" policy.out
}

submit() {
	lvbatch --parsable -o /dev/null "$@"
}

test_expect_success MUNGE 'start 4 nodes with partitions batch, gpu and PolicyScript' '
	mkdir -p "$TRASH/policy" &&
	cp "$LUA_DIR/util.lua" "$TRASH/policy/util.lua" &&
	cp "$LUA_DIR/default_partition.lua" "$POLICY" &&
	lv_cluster_up 4 --cpus 2 \
		--extra "PolicyScript=$POLICY" \
		--extra "PartitionName=batch Nodes=n[1-4] MaxTime=UNLIMITED State=UP" \
		--extra "PartitionName=gpu Nodes=n[3-4] MaxTime=UNLIMITED State=UP" &&
	policy_has "^PolicyScript=$POLICY LoadTime=" &&
	policy_has "Hook=job_submit Defined=yes Calls=0" &&
	policy_has "Hook=place Defined=no"
'

test_expect_success MUNGE 'default_partition: no -p goes to batch with a 60 min limit' '
	id=$(submit -H --wrap true) &&
	test "$(job_field $id "%P %l")" = "batch 1:00:00" &&
	policy_has "Hook=job_submit Defined=yes Calls=1 Errors=0 Timeouts=0" &&
	lvcancel $id
'

test_expect_success MUNGE 'default_partition: -p and -t given are kept' '
	id=$(submit -H -p debug -t 5 --wrap true) &&
	test "$(job_field $id "%P %l")" = "debug 5:00" &&
	lvcancel $id
'

test_expect_success MUNGE 'default_partition: the rejection text reaches lvbatch' '
	test_must_fail lvbatch -t 8-00:00:00 --wrap true 2>err &&
	test_grep "^lvbatch: error: time limit 11520 min is above the site maximum of 10080 min$" err &&
	test_grep "policy: job_submit rejected a job submission" "$CLUSTER/lvctld.log"
'

test_expect_success MUNGE 'default_partition: job_modify refuses a limit above the maximum' '
	id=$(submit -H --wrap true) &&
	test_must_fail lvcontrol update JobId=$id TimeLimit=8-00:00:00 2>err &&
	test_grep "time limit 11520 min is above the site maximum" err &&
	lvcontrol update JobId=$id TimeLimit=30 &&
	test "$(job_field $id %l)" = "30:00" &&
	policy_has "Hook=job_modify Defined=yes Calls=2 Errors=0" &&
	lvcancel $id
'

test_expect_success MUNGE 'require_account: a job without --account is refused' '
	use_policy require_account "s/submit_uid ~= 0/true/" &&
	test_must_fail lvbatch --wrap true 2>err &&
	test_grep "^lvbatch: error: You must name the account to charge: lvbatch --account=NAME ...$" err &&
	id=$(submit -H -A physics --wrap true) &&
	test "$(job_field $id %a)" = physics &&
	lvcancel $id
'

# These nodes have no GPUs (a --gres=gpu job is refused before any policy
# sees it: t0607 has GPU nodes), so the GPU jobs here ask by constraint.
test_expect_success MUNGE 'gpu_partition: a job asking for gpu goes to the gpu partition' '
	use_policy gpu_partition &&
	id=$(submit -H -C gpu --wrap true) &&
	test "$(job_field $id %P)" = gpu &&
	cpu=$(submit -H --wrap true) &&
	test "$(job_field $cpu %P)" = debug &&
	lvcancel $id $cpu
'

test_expect_success MUNGE 'gpu_partition: a CPU job in the gpu partition is refused' '
	test_must_fail lvbatch -p gpu --wrap true 2>err &&
	test_grep "^lvbatch: error: partition gpu is for GPU jobs: add --gres=gpu:N$" err
'

# Racks by feature: rack1 = n[1-2], rack2 = n[3-4].
test_expect_success MUNGE 'nodes get rack features' '
	sed -i -e "s/^NodeName=n\([12]\) /NodeName=n\1 Features=rack1 /" \
		-e "s/^NodeName=n\([34]\) /NodeName=n\1 Features=rack2 /" "$LV_CONF" &&
	lvcontrol reconfigure &&
	lvcontrol show node n1 >out && test_grep "rack1" out
'

# busy_n1: a one-CPU job on n1, so rack1 has 3 free CPUs and rack2 4.
test_expect_success MUNGE 'without place(), a 3-task job spans racks (n[2-3])' '
	use_policy default_partition &&
	busy=$(submit -p debug -w n1 -n 1 --wrap "sleep 300") &&
	wait_state $busy RUNNING &&
	id=$(submit -p debug -n 3 --wrap "sleep 300") &&
	wait_state $id RUNNING &&
	test "$(job_field $id %N)" = "n[2-3]" &&
	lvcancel $id &&
	wait_state $id CANCELLED
'

test_expect_success MUNGE 'rack_placement: the same job stays in rack1 (n[1-2])' '
	use_policy rack_placement &&
	id=$(submit -p debug -n 3 --wrap "sleep 300") &&
	wait_state $id RUNNING &&
	test "$(job_field $id %N)" = "n[1-2]" &&
	policy_has "Hook=place Defined=yes Calls=[1-9][0-9]* Errors=0 Timeouts=0" &&
	lvcancel $id $busy &&
	wait_state $id CANCELLED && wait_state $busy CANCELLED
'

test_expect_success MUNGE 'fair_share: a one-node job gets +50, a two-node job nothing' '
	use_policy fair_share "s/^local REFRESH = 1/local REFRESH = 0/" &&
	lv_wait_for queue_empty 10 &&
	one=$(submit -H --wrap true) &&
	two=$(submit -H -N 2 --wrap true) &&
	# 1: the multifactor priority with no weights set, plus the bonus
	test "$(job_field $one %Q)" = 51 &&
	test "$(job_field $two %Q)" = 1 &&
	lvcontrol show job $one >show.out &&
	test_grep "Priority=51" show.out &&
	lvcancel $one $two
'

test_expect_success MUNGE 'fair_share: with a job of the user running, the bonus is gone' '
	run=$(submit --wrap "sleep 300") &&
	wait_state $run RUNNING &&
	id=$(submit -H --wrap true) &&
	test "$(job_field $id %Q)" = 1 &&
	lvcancel $id $run
'

test_expect_success MUNGE 'site.lua chains the examples through require()' '
	cp "$LUA_DIR"/*.lua "$TRASH/policy/" &&
	sed -i "s|^PolicyScript=.*|PolicyScript=$TRASH/policy/site.lua|" "$LV_CONF" &&
	lvcontrol reconfigure 2>err &&
	test_must_be_empty err &&
	policy_has "^PolicyScript=$TRASH/policy/site.lua" &&
	for h in job_submit job_modify place priority; do
		policy_has "Hook=$h Defined=yes" || return 1
	done &&
	policy_has "Hook=elasticity Defined=no" &&
	id=$(submit -H -C gpu --wrap true) &&
	test "$(job_field $id "%P %l")" = "gpu 1:00:00" &&
	lvcancel $id
'

test_expect_success MUNGE 'lvcontrol --json show policy' '
	lvcontrol --json show policy >json &&
	test_grep "\"script\": \"$TRASH/policy/site.lua\"" json &&
	test_grep "\"mean_us\"" json
'

test_done
