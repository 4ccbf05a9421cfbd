-- One page under load; prints one JSON line: requests per second, latency percentiles, failures.
--
-- BENCH_EXPECT_STATUS: the status every response must have (200 for a page, 302 for a vote that
-- goes back to its question); any other counts as `unexpected`, as does a redirect to
-- BENCH_LOGIN_URL (a session the server did not accept would otherwise pass as a 302).
--
-- BENCH_REQUESTS: a file of prepared POSTs, one a line (path<TAB>cookie<TAB>body), so each request
-- comes from a different signed-in person or carries a different token. wrk's threads each take
-- their own share of the lines, so no line is sent twice unless the run outlasts the file (the
-- caller sizes it from the minimal view's rate and reports any repeats).

local expect = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "0")
local login_url = os.getenv("BENCH_LOGIN_URL") or ""
local requests_file = os.getenv("BENCH_REQUESTS")

-- wrk sets up and starts each thread before setting up the next, so the number of threads comes
-- from the caller (BENCH_THREADS, as given to -t), not from counting setups.
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

unexpected = 0
repeated = 0
local lines, share, first, counter = {}, 0, 0, 0

function init(args)
  if requests_file then
    for line in io.lines(requests_file) do
      local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
      if path then
        table.insert(lines, {path = path, cookie = cookie, body = body})
      end
    end
    share = math.max(1, math.floor(#lines / thread_count))
    first = (id - 1) * share
  end
end

if requests_file then
  request = function()
    local item = lines[first + (counter % share) + 1]
    counter = counter + 1
    if counter > share then
      repeated = repeated + 1
    end
    local headers = {}
    headers["Cookie"] = item.cookie
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Referer"] = "http://127.0.0.1/"
    return wrk.format("POST", item.path, headers, item.body)
  end
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if (expect > 0 and status ~= expect) or (login_url ~= "" and location:find(login_url, 1, true)) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local wrong, again = 0, 0
  for _, t in ipairs(threads) do
    wrong = wrong + (t:get("unexpected") or 0)
    again = again + (t:get("repeated") or 0)
  end
  io.write(string.format(
    '{"rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "failed": %d, "timeouts": %d, "non2xx3xx": %d, "unexpected": %d, "repeated": %d, "seconds": %.3f}\n',
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, failed, summary.errors.timeout, summary.errors.status, wrong, again, seconds))
end
