-- wrk script for `make bench` (rules §16): cycles through the requests listed in a file and
-- prints the latency histogram (a HIST line) and a JSON summary (microseconds) last.
--
--   wrk -t2 -c8 -d8s -s bench/wrk/requests.lua http://127.0.0.1:8109 -- requests.tsv
--
-- Each line of the file: METHOD <TAB> PATH [<TAB> BODY]. Headers common to every request
-- (session cookie, CSRF token) come from wrk's -H options. Each thread starts at its own
-- offset. With "split" after the thread count, each thread cycles through its own share of
-- the lines only (the like/pass scenario: thread k likes, unlikes and passes its own
-- members, so two threads never toggle the same pair at once and queue on its lock, as no
-- member's phone does; without it the threads drifted onto the same pairs in some runs).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local reqs = {}
local pos = 1
local first, last = 1, 1

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      -- wrk.format replaces wrk.headers (the -H options) when given a table: copy them.
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      if method == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      if body == "" then body = nil end
      table.insert(reqs, wrk.format(method, path, headers, body))
    end
  end
  file:close()
  local nthreads = tonumber(args[2] or "1")
  pos = (math.floor(#reqs * id / nthreads) % #reqs) + 1
  first, last = 1, #reqs
  if args[3] == "split" and #reqs >= nthreads then
    first = pos
    last = math.floor(#reqs * (id + 1) / nthreads)
  end
end

-- Any answer but 200 (a redirect to the login page, a CSRF failure, ...) is counted, so a
-- scenario can never pass by measuring the wrong page.
not_ok = 0

function response(status, headers, body)
  if status < 200 or status > 299 then not_ok = not_ok + 1 end  -- 204 (a pass) is success
end

function request()
  local r = reqs[pos]
  pos = pos + 1
  if pos > last then pos = first end
  return r
end

function done(summary, latency, requests)
  -- The latency histogram (microseconds: count), so runs can be pooled exactly.
  local parts = {}
  for i = 1, #latency do
    local value, count = latency(i)
    parts[#parts + 1] = string.format("%d:%d", value, count)
  end
  io.write("HIST " .. table.concat(parts, " ") .. "\n")
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("not_ok") or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "not_200": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max, e.connect, e.read, e.write, e.status,
    e.timeout, bad))
end
