-- wrk: GET /api/v1/orders/{id}/suggestions, rotating over the orders
-- bench/suggest.sh wrote to BENCH_DATA (`orders = {…}`).
dofile(os.getenv("BENCH_DATA"))
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/orders/" .. orders[(i % #orders) + 1] .. "/suggestions")
end
