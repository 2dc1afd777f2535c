-- wrk: POST /api/v1/shifts/{shift}/signups, a new volunteer per request.
-- bench/signups.sh writes the data file with `shift` and `volunteers`.
-- Each wrk thread has its own Lua state: threads take every nth person,
-- starting at their own number, so no two send the same person.
dofile(os.getenv("BENCH_DATA"))
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local step = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
local i
local headers = {}
for k, v in pairs(wrk.headers) do headers[k] = v end
headers["Content-Type"] = "application/json"
request = function()
  i = i or tid
  local v = volunteers[(i % #volunteers) + 1]
  i = i + step
  return wrk.format("POST", "/api/v1/shifts/" .. shift .. "/signups", headers,
    string.format('{"volunteer_id":%d}', v))
end
