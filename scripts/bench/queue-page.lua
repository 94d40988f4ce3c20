-- wrk script: the agent's queue pages, signed in with a session cookie, one view after another.
wrk.method = "GET"
wrk.headers["Cookie"] = "relais_session=" .. os.getenv("SESSION")
local views = { "/app?view=mine", "/app?view=team", "/app?view=unassigned", "/app?view=team&family=incident", "/app?view=mine&priority=P2" }
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, views[(counter % #views) + 1], nil, nil)
end
