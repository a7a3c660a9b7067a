-- SPDX-License-Identifier: GPL-2.0-or-later
-- Route GPU jobs to the GPU partition, and keep CPU-only jobs off it.
--
-- A job "wants GPUs" when it asks --gres=gpu[:N] or --constraint=gpu.
-- Such a job that names no partition (or the general one) goes to
-- GPU_PARTITION; a job that names GPU_PARTITION without asking for GPUs
-- is refused, so GPU nodes are not filled with CPU work.

local util = require("util")

local GPU_PARTITION = "gpu"
local GENERAL = { [""] = true, debug = true, batch = true }

function job_submit(job_desc, part_list, submit_uid)
	if not part_list[GPU_PARTITION] then
		return lv.SUCCESS -- nothing to route to on this cluster
	end
	if util.wants_gpu(job_desc) then
		if GENERAL[job_desc.partition or ""] then
			job_desc.partition = GPU_PARTITION
		end
	elseif job_desc.partition == GPU_PARTITION then
		lv.user_msg("partition " .. GPU_PARTITION .. " is for GPU jobs: add --gres=gpu:N")
		return lv.ESLURM_INVALID_PARTITION_NAME
	end
	return lv.SUCCESS
end
