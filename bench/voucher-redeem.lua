-- wrk: POST /api/v1/vouchers/{code}/redeem, each voucher once, for goods
-- worth its whole value (bench/market.sh writes BENCH_DATA).
dofile(os.getenv("BENCH_DATA"))
local i = 0
local headers = {}
for k, v in pairs(wrk.headers) do headers[k] = v end
headers["Content-Type"] = "application/json"
local body = string.format('{"store_id":%d,"items":[{"goods_id":%d,"quantity":30}]}', store, goods)
request = function()
  i = i + 1
  local code = codes[(i - 1) % #codes + 1]
  return wrk.format("POST", "/api/v1/vouchers/" .. code .. "/redeem", headers, body)
end
