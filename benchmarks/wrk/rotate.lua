-- POSTs that rotate through prepared requests (one per line of BENCH_REQUESTS: path<TAB>cookie<TAB>csrf<TAB>body),
-- so each request comes from a different signed-in person or carries a different token.
local lines = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local path, cookie, csrf, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)")
  table.insert(lines, {path = path, cookie = cookie, csrf = csrf, body = body})
end
local counter = 0
request = function()
  counter = counter + 1
  local item = lines[(counter % #lines) + 1]
  local headers = {}
  headers["Cookie"] = item.cookie
  headers["X-CSRFToken"] = item.csrf
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Referer"] = "http://127.0.0.1/"
  return wrk.format("POST", item.path, headers, item.body)
end
-- Prints one JSON line wrk's summary: requests per second, latency percentiles, failures.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "failed": %d, "non2xx3xx": %d, "seconds": %.3f}\n',
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, failed, summary.errors.status, seconds))
end
