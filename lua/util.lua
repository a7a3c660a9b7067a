-- SPDX-License-Identifier: GPL-2.0-or-later
-- Helpers the example policies share.  A policy loads it with
-- require("util"): modules come from the policy script's own folder.
local util = {}

-- "a,b&c|d" -> { "a", "b", "c", "d" }: the words of a --constraint or
-- a Features= list.
function util.words(s)
	local t = {}
	if s then
		for w in string.gmatch(s, "[^,&|%s]+") do
			t[#t + 1] = w
		end
	end
	return t
end

-- True when the list (a table of words) holds word.
function util.has(list, word)
	for _, w in ipairs(list) do
		if w == word then
			return true
		end
	end
	return false
end

-- The rack of a node: its first feature named rack* (Features=rack3,...),
-- else the letters of its name before the digits of the last number
-- ("r12n03" -> "r12n").  Remembered per node name: features change only
-- with the configuration, and a reconfiguration reloads the script.
local racks = {}
function util.rack_of(node)
	local name = node.name
	local r = racks[name]
	if r then
		return r
	end
	for _, f in ipairs(node.features) do
		if string.match(f, "^rack") then
			r = f
			break
		end
	end
	r = r or string.match(name, "^(.-)%d+$") or name
	racks[name] = r
	return r
end

-- True when the job asks for GPUs: --gres=gpu..., or --constraint gpu.
function util.wants_gpu(job_desc)
	if job_desc.gres and string.find(job_desc.gres, "gpu", 1, true) then
		return true
	end
	return util.has(util.words(job_desc.features), "gpu")
end

return util
