-- Count answers per HTTP status code, per wrk thread; done() sums the threads' tables.
-- Loaded with dofile() by read_mix.lua and write_mix.lua (the directory of this file).

statuses = {}

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- One machine-readable line: WRK_STATUS {"200": n, "412": m, ...} over all threads.
function report_statuses(threads)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  table.sort(parts)
  io.write("WRK_STATUS {" .. table.concat(parts, ", ") .. "}\n")
end

