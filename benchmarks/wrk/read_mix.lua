-- The read mix: requests.lua's seeded request list, plus a count of answers per status code.
-- Usage: wrk ... -s read_mix.lua http://host:port -- requests.txt
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "requests.lua")
dofile(here .. "statuses.lua")

-- requests.lua keeps its threads to itself: keep our own list for the status totals.
local all_threads = {}
local setup_requests, report_wrk = setup, done

function setup(thread)
  setup_requests(thread)
  table.insert(all_threads, thread)
end

function response(status, headers, body)
  count_status(status)
end

function done(summary, latency, requests)
  report_wrk(summary, latency, requests)
  report_statuses(all_threads)
end
