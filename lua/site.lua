-- SPDX-License-Identifier: GPL-2.0-or-later
-- An example site policy that combines the shipped pieces: default
-- partition and time limit, mandatory account, GPU routing, rack
-- placement and the fair-share tweak.  Copy lua/ to /etc/leviathan/lua
-- and set PolicyScript=/etc/leviathan/lua/site.lua; edit the constants at
-- the top of each file.
--
-- The pieces define global hooks; loading them here one after another
-- would let the last job_submit win, so site.lua chains them instead.

local function load_hook(file, name)
	-- Each example is also a module: run it, then take its hook.
	require(file)
	local f = _G[name]
	_G[name] = nil
	return f
end

local submit_steps = {
	load_hook("require_account", "job_submit"),
	load_hook("default_partition", "job_submit"),
	load_hook("gpu_partition", "job_submit"),
}
job_modify = load_hook("default_partition", "job_modify")
place = load_hook("rack_placement", "place")
priority = load_hook("fair_share", "priority")

function job_submit(job_desc, part_list, submit_uid)
	for _, step in ipairs(submit_steps) do
		local rc = step(job_desc, part_list, submit_uid)
		if rc ~= lv.SUCCESS then
			return rc
		end
	end
	return lv.SUCCESS
end
