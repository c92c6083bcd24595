-- PUT /_matrix/federation/v1/send/{txn} with a 16 KiB JSON body; each request gets a fresh txn id.
-- BODY_BYTES overrides the size. Loaded together with report.lua by warm-path.sh.
local size = tonumber(os.getenv("BODY_BYTES") or "16384")
local prefix = '{"origin":"bench.test","origin_server_ts":1700000000000,"pdus":[],"edus":[{"edu_type":"m.bench","content":{"pad":"'
local suffix = '"}}]}'
local body = prefix .. string.rep("x", size - #prefix - #suffix) .. suffix
local base = os.getenv("PUT_BASE") or "/_matrix/federation/v1/send/"
local counter = 0
local tid = 0

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end

function init(args)
  wrk.method = "PUT"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format("PUT", base .. tostring(tid) .. "-" .. tostring(counter), nil, body)
end
