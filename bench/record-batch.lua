-- wrk: POST /api/v1/records/batch with 50 volunteers of one activity.
dofile(os.getenv("BENCH_DATA"))
-- BENCH_START skips batches sent by an earlier run against the same database
local i = tonumber(os.getenv("BENCH_START") or "0")
-- wrk.format replaces wrk.headers when given headers: keep -H values
local headers = {}
for k, v in pairs(wrk.headers) do headers[k] = v end
headers["Content-Type"] = "application/json"
local per = math.floor(#volunteers / 50)
request = function()
  local block = i % per
  local a = activities[math.floor(i / per) % #activities + 1]
  i = i + 1
  local entries = {}
  for k = 1, 50 do
    entries[k] = string.format('{"volunteer_id":%d,"minutes":60,"quality":"good","late_reason":"bench"}', volunteers[block * 50 + k])
  end
  local body = string.format('{"activity_id":%d,"entries":[%s]}', a, table.concat(entries, ","))
  return wrk.format("POST", "/api/v1/records/batch", headers, body)
end
