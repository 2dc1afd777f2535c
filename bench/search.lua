-- wrk script: volunteer searches of the kinds staff type, rotated per request.
local queries = {
  "/api/v1/volunteers?q=%E7%8E%8B%E4%BC%9F",            -- 王伟
  "/api/v1/volunteers?q=%E6%AC%A7%E9%98%B3",            -- 欧阳
  "/api/v1/volunteers?q=%E5%A8%9C",                     -- 娜
  "/api/v1/volunteers?q=%E6%9D%8E%E6%98%8E",            -- 李明
  "/api/v1/volunteers?q=13000012345",                   -- a phone
  "/api/v1/volunteers?skill=%E5%8C%BB%E7%96%97&limit=20",  -- skill 医疗
  "/api/v1/volunteers?category=%E5%BA%94%E6%80%A5%E6%95%91%E6%8F%B4&age_min=30&age_max=50",
  "/api/v1/volunteers?sort=name&limit=50",
  "/api/v1/volunteers?limit=50",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", queries[(i % #queries) + 1])
end
