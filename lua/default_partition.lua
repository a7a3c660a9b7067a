-- SPDX-License-Identifier: GPL-2.0-or-later
-- Enforce a default partition and time limit.
--
-- Jobs that name no partition go to DEFAULT_PARTITION (instead of the
-- Default=YES partition of leviathan.conf), and jobs without --time get
-- DEFAULT_TIME minutes; a limit above MAX_TIME is refused with a message
-- the user sees as "lvbatch: error: ...".

local DEFAULT_PARTITION = "batch"
local DEFAULT_TIME = 60      -- minutes
local MAX_TIME = 7 * 24 * 60 -- minutes

function job_submit(job_desc, part_list, submit_uid)
	if job_desc.partition == nil and part_list[DEFAULT_PARTITION] then
		job_desc.partition = DEFAULT_PARTITION
	end
	if job_desc.time_limit == nil then
		job_desc.time_limit = DEFAULT_TIME
	elseif job_desc.time_limit ~= lv.INFINITE and job_desc.time_limit > MAX_TIME then
		lv.user_msg(string.format("time limit %d min is above the site maximum of %d min",
			job_desc.time_limit, MAX_TIME))
		return lv.ESLURM_INVALID_TIME_LIMIT
	end
	return lv.SUCCESS
end

function job_modify(job_desc, job_rec, part_list, modify_uid)
	if job_desc.time_limit and job_desc.time_limit ~= lv.INFINITE and
			job_desc.time_limit > MAX_TIME then
		lv.user_msg(string.format("time limit %d min is above the site maximum of %d min",
			job_desc.time_limit, MAX_TIME))
		return lv.ESLURM_INVALID_TIME_LIMIT
	end
	return lv.SUCCESS
end
