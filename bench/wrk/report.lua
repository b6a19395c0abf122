-- Prints wrk's summary as one JSON line that bench/run.py reads.
-- Used by every GET scenario: wrk alone sends the requests (no Lua per
-- request), so the load generator costs as little CPU as it can.

local function summary_json(summary, latency, extra)
  local errors = summary.errors
  return string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f}%s}',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, extra or "")
end

bench_summary_json = summary_json

done = function(summary, latency, requests)
  io.write("BENCH_JSON " .. summary_json(summary, latency) .. "\n")
end
