-- wrk script: POST a new service request on every call.
-- TOKEN comes from the environment of wrk.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"family":"service_request","title":"Load ' .. counter .. '","channel":"api","impact":"medium","urgency":"low","category":"software"}'
  return wrk.format(nil, "/api/v1/tickets", nil, body)
end
