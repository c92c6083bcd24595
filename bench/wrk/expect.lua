-- Counts responses whose status is not the expected class (EXPECT=2xx|5xx, default 2xx) and
-- prints them with the WRKRESULT line (report.lua must be appended after this file), plus the
-- first few offending status codes (unexpected_codes=502,502,...).
local expect = os.getenv("EXPECT") or "2xx"
local threads = {}
local base_setup = setup

function setup(thread)
  table.insert(threads, thread)
  if base_setup then base_setup(thread) end
end

local base_init = init
function init(args)
  mismatched = 0
  mismatched_codes = ""
  if base_init then base_init(args) end
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if (expect == "2xx" and class ~= 2) or (expect == "5xx" and class ~= 5) then
    mismatched = mismatched + 1
    if mismatched <= 5 then
      mismatched_codes = mismatched_codes .. (mismatched_codes == "" and "" or ";") .. tostring(status)
    end
  end
end

function mismatch_total()
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("mismatched") or 0) end
  return total
end

function mismatch_codes()
  local codes = ""
  for _, t in ipairs(threads) do
    local c = t:get("mismatched_codes") or ""
    if c ~= "" then codes = codes .. (codes == "" and "" or ";") .. c end
  end
  return codes == "" and "-" or codes
end
