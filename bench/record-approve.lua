-- wrk: POST /api/v1/records/{id}/approve, a new submitted record per
-- request. bench/records.sh writes the data file with `records`.
dofile(os.getenv("BENCH_DATA"))
local i = tonumber(os.getenv("BENCH_START") or "0")
request = function()
  local id = records[(i % #records) + 1]
  i = i + 1
  return wrk.format("POST", "/api/v1/records/" .. id .. "/approve")
end
