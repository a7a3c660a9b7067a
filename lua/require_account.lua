-- SPDX-License-Identifier: GPL-2.0-or-later
-- Reject jobs without an account (--account / -A), except root's.
-- Users who belong to exactly one project can be given a default instead:
-- fill DEFAULT_ACCOUNT below ({ alice = "physics" }).

local DEFAULT_ACCOUNT = {}

function job_submit(job_desc, part_list, submit_uid)
	if job_desc.account == nil or job_desc.account == "" then
		local default = DEFAULT_ACCOUNT[job_desc.user_name or ""]
		if default then
			job_desc.account = default
			lv.log_info("job of %s: account %s by default", job_desc.user_name, default)
		elseif submit_uid ~= 0 then
			lv.user_msg("You must name the account to charge: lvbatch --account=NAME ...")
			return lv.ESLURM_INVALID_ACCOUNT
		end
	end
	return lv.SUCCESS
end
