-- wrk script: the first page of 50 tickets of one team's open queue.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local teams = { "it-l1", "it-l2", "support-l1", "support-l2", "delivery" }
local counter = 0
request = function()
  counter = counter + 1
  local team = teams[(counter % #teams) + 1]
  return wrk.format(nil, "/api/v1/tickets?team=" .. team .. "&status_category=open&limit=50", nil, nil)
end
