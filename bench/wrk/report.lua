-- Machine-readable summary line for warm-path.sh/soak.sh (latencies in microseconds).
-- With expect.lua loaded first, "unexpected" counts responses outside the expected status class;
-- otherwise it is -1 and non-2xx/3xx answers show up in status=.
function done(summary, latency, requests)
  local e = summary.errors
  local unexpected, codes = -1, "-"
  if mismatch_total then unexpected, codes = mismatch_total(), mismatch_codes() end
  io.write(string.format("WRKRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d unexpected=%d unexpected_codes=%s\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, unexpected, codes))
end
