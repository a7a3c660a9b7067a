#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later

test_description='Lua policy failures: a syntax error at load, a runtime error, an endless loop hitting the instruction budget (even under pcall), a wrong return type, os.execute/io/loadfile/require outside the folder, a memory hog; each is logged with the script line, counted in lvcontrol show policy, and the built-in default decides while lvctld keeps running; a reconfigure with a broken script keeps the old one'

. "$(dirname "$0")/sharness.sh"
. "$SHARNESS_TEST_DIRECTORY/lib-jobs.sh"

POLICY=$TRASH/policy/policy.lua
LOG=

policy_has() {
	lvcontrol show policy >policy.out &&
	test_grep "$1" policy.out
}

submit() {
	lvbatch --parsable -o /dev/null "$@"
}

# ctld_alive: lvctld still runs and answers.
ctld_alive() {
	lv_pid_alive "$(cat "$CLUSTER/lvctld.pid")" && lvcontrol ping >/dev/null
}

# The hooks misbehave by job name; other jobs get comment "v1".
write_faulty() {
	cat >"$POLICY" <<-\LUA
	-- line 1
	local function busy()
	  while true do end
	end

	function job_submit(job_desc, part_list, submit_uid)
	  local n = job_desc.name
	  if n == "boom" then
	    error("boom goes the script")
	  elseif n == "loop" then
	    busy()
	  elseif n == "sneaky" then
	    while true do pcall(busy) end
	  elseif n == "badtype" then
	    return "yes"
	  elseif n == "badfield" then
	    job_desc.time_limit = "soon"
	  elseif n == "exec" then
	    os.execute("touch /tmp/lv-policy-escaped")
	  elseif n == "io" then
	    io.open("/etc/passwd")
	  elseif n == "loadfile" then
	    loadfile("/etc/passwd")
	  elseif n == "escape" then
	    require("..secret")
	  elseif n == "hog" then
	    local t = {}
	    for i = 1, 1e9 do t[i] = string.rep("x", 4096) .. i end
	  end
	  job_desc.comment = "v1"
	  job_desc.partition = "other"
	  return lv.SUCCESS
	end

	function place(alloc, candidates)
	  if alloc.name == "badplace" then
	    return { "no-such-node" }
	  elseif alloc.name == "errplace" then
	    return candidates.nothing.here
	  end
	  return nil
	end

	function priority(job)
	  if job.name == "badprio" then
	    return {}
	  end
	  return 7
	end
	LUA
}

test_expect_success MUNGE 'a script with a syntax error: lvctld starts on the built-in policy' '
	mkdir -p "$TRASH/policy" &&
	printf "function job_submit(d)\n  return lv.SUCCESS\nend end\n" >"$POLICY" &&
	lv_cluster_up 2 --cpus 2 --extra "PolicyScript=$POLICY" \
		--extra "PolicyInstructionLimit=100000" --extra "PolicyMemoryLimit=8" \
		--extra "PartitionName=other Nodes=n[1-2] MaxTime=UNLIMITED State=UP" &&
	LOG=$CLUSTER/lvctld.log &&
	ctld_alive &&
	policy_has "^PolicyScript=(none)" &&
	policy_has "LoadError=$POLICY" &&
	policy_has "policy.lua:3: <eof> expected near .end." &&
	test_grep "policy: cannot load $POLICY: .*policy.lua:3: <eof> expected" "$LOG" &&
	id=$(submit --wrap true) &&
	wait_done $id &&
	test "$(job_field $id %P)" = debug
'

test_expect_success MUNGE 'reconfigure loads the fixed script; the hooks take effect' '
	write_faulty &&
	lvcontrol reconfigure 2>err &&
	test_must_be_empty err &&
	policy_has "^PolicyScript=$POLICY LoadTime=" &&
	policy_has "InstructionLimit=100000 MemoryLimit=8192K" &&
	test_grep ! "LoadError" policy.out &&
	id=$(submit -H -J fine --wrap true) &&
	test "$(job_field $id "%P %k %Q")" = "other v1 8" && # 1 + 7
	lvcancel $id
'

# failed NAME: a job named NAME is accepted with the built-in defaults
# (partition debug, no comment) and runs.
failed() {
	id=$(submit -J "$1" --wrap true) &&
	test "$(job_field $id "%P %k")" = "debug (null)" &&
	wait_done $id
}

test_expect_success MUNGE 'a runtime error: logged with its line, counted, default used' '
	failed boom &&
	test_grep "policy: job_submit failed: policy.lua:9: boom goes the script; using the built-in default" "$LOG" &&
	policy_has "Hook=job_submit Defined=yes Calls=2 Errors=1 Timeouts=0" &&
	ctld_alive
'

test_expect_success MUNGE 'an endless loop hits the instruction budget' '
	failed loop &&
	test_grep "policy: job_submit timed out: policy.lua:3: instruction limit (100000) exceeded" "$LOG" &&
	policy_has "Hook=job_submit Defined=yes Calls=3 Errors=1 Timeouts=1" &&
	ctld_alive
'

test_expect_success MUNGE 'catching the budget error with pcall does not help' '
	failed sneaky &&
	policy_has "Hook=job_submit Defined=yes Calls=4 Errors=1 Timeouts=2" &&
	ctld_alive
'

test_expect_success MUNGE 'a wrong return type: logged with the function line, default used' '
	failed badtype &&
	test_grep "policy: policy.lua:6: job_submit returned string, expected a number" "$LOG" &&
	policy_has "Hook=job_submit Defined=yes Calls=5 Errors=2 Timeouts=2"
'

test_expect_success MUNGE 'a field set to the wrong type: logged, default used' '
	failed badfield &&
	test_grep "policy: policy.lua:6: job_submit set job_desc.time_limit to a string value" "$LOG" &&
	policy_has "Calls=6 Errors=3 Timeouts=2"
'

test_expect_success MUNGE 'os.execute does not exist in the sandbox' '
	rm -f /tmp/lv-policy-escaped &&
	failed exec &&
	test_path_is_missing /tmp/lv-policy-escaped &&
	test_grep "policy.lua:19: attempt to call a nil value (field .execute.)" "$LOG" &&
	policy_has "Calls=7 Errors=4 Timeouts=2" &&
	ctld_alive
'

test_expect_success MUNGE 'io, loadfile and require outside the folder fail too' '
	failed io &&
	test_grep "policy.lua:21: attempt to index a nil value (global .io.)" "$LOG" &&
	failed loadfile &&
	test_grep "policy.lua:23: attempt to call a nil value (global .loadfile.)" "$LOG" &&
	failed escape &&
	test_grep "policy.lua:25: require: invalid module name .\.\.secret." "$LOG" &&
	policy_has "Calls=10 Errors=7 Timeouts=2"
'

test_expect_success MUNGE 'a memory hog runs into PolicyMemoryLimit' '
	failed hog &&
	test_grep "policy: job_submit failed: not enough memory (PolicyMemoryLimit is 8 MB)" "$LOG" &&
	policy_has "Calls=11 Errors=8 Timeouts=2" &&
	ctld_alive
'

test_expect_success MUNGE 'place() naming a node that is no candidate: default placement' '
	id=$(submit -J badplace --wrap true) &&
	wait_done $id &&
	test_grep "policy: policy.lua:.*: place returned node .no-such-node., which is not a candidate" "$LOG" &&
	id=$(submit -J errplace --wrap true) &&
	wait_done $id &&
	test_grep "policy: place failed: policy.lua:[0-9]*: attempt to index a nil value (field .nothing.)" "$LOG" &&
	policy_has "Hook=place Defined=yes Calls=[0-9]* Errors=2 Timeouts=0"
'

test_expect_success MUNGE 'priority() returning a table: the computed priority stays' '
	id=$(submit -H -J badprio --wrap true) &&
	test "$(job_field $id %Q)" = 1 &&
	test_grep "policy: policy.lua:.*: priority returned table, expected a number" "$LOG" &&
	policy_has "Hook=priority Defined=yes Calls=[0-9]* Errors=1" &&
	lvcancel $id
'

test_expect_success MUNGE 'reconfigure with a broken script keeps the old one active' '
	cp "$POLICY" good.lua &&
	echo "this is not lua" >>"$POLICY" &&
	lvcontrol reconfigure 2>err &&
	test_grep "^lvcontrol: warning: policy script not loaded, the previous one stays active: .*policy.lua:.*" err &&
	test_grep "policy: cannot load $POLICY: .* (keeping the script loaded before)" "$LOG" &&
	policy_has "^PolicyScript=$POLICY" &&
	policy_has "LoadError=$POLICY" &&
	id=$(submit -H -J fine --wrap true) &&
	test "$(job_field $id "%P %k")" = "other v1" &&
	lvcancel $id
'

test_expect_success MUNGE 'SIGHUP with the script fixed loads it and clears the error' '
	sed "s/return 7/return 9/" good.lua >"$POLICY" &&
	kill -HUP "$(cat "$CLUSTER/lvctld.pid")" &&
	lv_wait_for "lvcontrol show policy | grep -q \"Hook=priority Defined=yes Calls=0\"" 10 &&
	policy_has "^PolicyScript=$POLICY" &&
	test_grep ! "LoadError" policy.out &&
	id=$(submit -H -J fine --wrap true) &&
	test "$(job_field $id %Q)" = 10 &&
	lvcancel $id
'

test_expect_success MUNGE 'removing PolicyScript switches the policy off' '
	sed -i "/^PolicyScript=/d" "$LV_CONF" &&
	lvcontrol reconfigure &&
	policy_has "^PolicyScript=(none)" &&
	id=$(submit -H -J fine --wrap true) &&
	test "$(job_field $id "%P %Q")" = "debug 1" &&
	lvcancel $id &&
	ctld_alive
'

test_done
