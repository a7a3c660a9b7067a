-- SPDX-License-Identifier: GPL-2.0-or-later
-- A fair-share tweak on top of the multifactor priority: a user's jobs
-- lose PENALTY points for each job of theirs already running, so users
-- with little running get the next free nodes; small jobs (one node) get
-- a SMALL_BONUS so they fill gaps sooner.  The number returned is added
-- to the computed priority (return n, lv.REPLACE to replace it instead).
--
-- priority() runs for every pending job, so the running counts are taken
-- in one walk of the job table (lv.job_counts) and reused for
-- REFRESH seconds, not counted again per job.

local PENALTY = 100
local SMALL_BONUS = 50
local REFRESH = 1 -- seconds

local running, taken = {}, nil

local function running_jobs(uid)
	local now = os.time()
	if taken == nil or now - taken >= REFRESH then
		running = lv.job_counts { state = "RUNNING" }
		taken = now
	end
	return running[uid] or 0
end

function priority(job)
	local adjust = -PENALTY * running_jobs(job.user_id)
	if job.max_nodes <= 1 then
		adjust = adjust + SMALL_BONUS
	end
	return adjust
end
