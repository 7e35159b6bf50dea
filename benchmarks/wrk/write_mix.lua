-- The write mix of an editor: read a camera (GET, for its ETag), change it (PATCH with If-Match),
-- register a new one (POST). Usage: wrk ... -s write_mix.lua http://host:port -- writes.txt
-- writes.txt: "GET <tab> /api/v1/cameras/<id>" and "POST <tab> /api/v1/cameras <tab> <body>" lines.
-- A PATCH sends back a version some answer carried (ETag "<id>.<version>"); when another
-- connection changed that camera meanwhile, 412 is the correct answer, counted apart by the caller.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "requests.lua") -- for its done(): the WRK_JSON line
dofile(here .. "statuses.lua")

local all_threads = {}
local report_wrk = done
-- Per five requests: two reads, two changes, one new camera.
local PATTERN = { "GET", "PATCH", "GET", "PATCH", "POST" }
local MAX_VERSIONS = 256

function setup(thread)
  thread:set("thread_index", #all_threads)
  table.insert(all_threads, thread)
end

-- wrk.format does not merge -H headers into a table it is given: copy them (Authorization).
local function with_headers(extra)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  for name, value in pairs(extra) do headers[name] = value end
  return headers
end

function init(args)
  gets, posts, versions = {}, {}, {}
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method == "GET" then
      gets[#gets + 1] = wrk.format("GET", path)
    elseif method == "POST" then
      posts[#posts + 1] = wrk.format("POST", path, with_headers({ ["Content-Type"] = "application/json" }), body)
    end
  end
  assert(#gets > 0 and #posts > 0, "writes file needs GET and POST lines: " .. args[1])
  counter = thread_index * 7919
end

local function patch(version)
  local body = string.format('{"properties": {"bearing_deg": %d}}', (counter * 37) % 360)
  local headers = with_headers({ ["Content-Type"] = "application/merge-patch+json", ["If-Match"] = version.etag })
  return wrk.format("PATCH", "/api/v1/cameras/" .. version.id, headers, body)
end

function request()
  counter = counter + 1
  local kind = PATTERN[counter % #PATTERN + 1]
  if kind == "PATCH" and #versions > 0 then
    return patch(table.remove(versions)) -- the latest version read: most PATCHes should win
  elseif kind == "POST" then
    return posts[counter % #posts + 1]
  end
  return gets[counter % #gets + 1]
end

function response(status, headers, body)
  count_status(status)
  local etag = headers["ETag"] or headers["etag"]
  local id = status < 300 and etag and etag:match('^"(%d+)%.%d+"$')
  if id then
    versions[#versions + 1] = { id = id, etag = etag }
    if #versions > MAX_VERSIONS then table.remove(versions, 1) end
  end
end

function done(summary, latency, requests)
  report_wrk(summary, latency, requests)
  report_statuses(all_threads)
end
