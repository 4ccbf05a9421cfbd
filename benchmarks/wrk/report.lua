-- Prints one JSON line wrk's summary: requests per second, latency percentiles, failures.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "failed": %d, "non2xx3xx": %d, "seconds": %.3f}\n',
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, failed, summary.errors.status, seconds))
end
