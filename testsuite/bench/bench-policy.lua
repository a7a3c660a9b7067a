-- SPDX-License-Identifier: GPL-2.0-or-later
-- A policy for bench-sched.sh (POLICY=testsuite/bench/bench-policy.lua):
-- the cost of Lua per scheduling decision with place() and priority()
-- loaded.  priority() adds the job's task count; place() returns every
-- candidate as a ranking, in the order it was given, so each start goes
-- through the script's whole answer.

function priority(job)
	return job.num_tasks
end

function place(alloc, candidates)
	local out = {}
	for i, node in ipairs(candidates) do
		out[i] = node.name
	end
	return out
end
