-- SPDX-License-Identifier: GPL-2.0-or-later
-- A fair-share tweak on top of the multifactor priority: a user's jobs
-- lose PENALTY points for each job of theirs already running, so users
-- with little running get the next free nodes; small jobs (one node) get
-- a SMALL_BONUS so they backfill gaps sooner.  Returned numbers are added
-- to the computed priority (return n, lv.REPLACE to replace it).
--
-- lv.jobs walks the job table (cost grows with the queue): limit = 0
-- returns just the count, no job tables.

local PENALTY = 100
local SMALL_BONUS = 50

function priority(job)
	local _, running = lv.jobs { user = job.user_id, state = "RUNNING", limit = 0 }
	local adjust = -PENALTY * running
	if job.max_nodes <= 1 then
		adjust = adjust + SMALL_BONUS
	end
	return adjust
end
