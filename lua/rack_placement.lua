-- SPDX-License-Identifier: GPL-2.0-or-later
-- Topology-aware placement: keep each multi-node job inside one rack.
--
-- A node's rack is its first feature named rack* (Features=rack1,...),
-- else its name prefix (see util.rack_of).  place() gets the candidate
-- nodes in the scheduler's default order; among the racks whose free CPUs
-- can hold the whole job it picks the one with the fewest free CPUs (best
-- fit, keeping big racks whole for big jobs) and returns that rack's
-- nodes in the default order.  With STRICT a job that fits in no single
-- rack waits (an empty list); without it, it may span racks (nil: the
-- default).

local util = require("util")

local STRICT = true

function place(alloc, candidates)
	local need = alloc.num_tasks * alloc.cpus_per_task
	local racks, order = {}, {}
	for _, node in ipairs(candidates) do
		local r = util.rack_of(node)
		if not racks[r] then
			racks[r] = { free = 0, nodes = {} }
			order[#order + 1] = r
		end
		local rack = racks[r]
		rack.free = rack.free + node.free_cpus
		rack.nodes[#rack.nodes + 1] = node.name
	end
	local best
	for _, r in ipairs(order) do
		local rack = racks[r]
		if rack.free >= need and #rack.nodes >= alloc.min_nodes and
				(best == nil or rack.free < racks[best].free) then
			best = r
		end
	end
	if best then
		return racks[best].nodes
	end
	if STRICT then
		return {}
	end
	return nil
end
