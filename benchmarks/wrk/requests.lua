-- Cycle through a fixed list of requests, one per line: METHOD <tab> path [<tab> body].
-- Usage: wrk ... -s requests.lua http://host:port -- requests.txt
-- Each thread starts at its own offset in the list, so the mix is seeded and the same every run.
-- Headers given with -H (Authorization, Content-Type) apply to every request.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"), "cannot open " .. tostring(args[1]))
  requests = {}
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      if body == "" then body = nil end
      requests[#requests + 1] = wrk.format(method, path, nil, body)
    end
  end
  file:close()
  assert(#requests > 0, "no requests in " .. args[1])
  counter = (thread_index * 7919) % #requests + 1
end

function request()
  local r = requests[counter]
  counter = counter % #requests + 1
  return r
end

-- One machine-readable line after wrk's own report.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
