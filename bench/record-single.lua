-- wrk: POST /api/v1/records, a new (volunteer, activity) pair per request.
-- bench/records.sh writes bench-data.lua with `activities` and `volunteers`.
dofile(os.getenv("BENCH_DATA"))
-- BENCH_START skips pairs used by an earlier run against the same database
local i = tonumber(os.getenv("BENCH_START") or "0")
-- wrk.format replaces wrk.headers when given headers: keep -H values
local headers = {}
for k, v in pairs(wrk.headers) do headers[k] = v end
headers["Content-Type"] = "application/json"
request = function()
  local v = volunteers[(i % #volunteers) + 1]
  local a = activities[math.floor(i / #volunteers) % #activities + 1]
  i = i + 1
  local body = string.format('{"activity_id":%d,"volunteer_id":%d,"minutes":60,"quality":"good","late_reason":"bench"}', a, v)
  return wrk.format("POST", "/api/v1/records", headers, body)
end
