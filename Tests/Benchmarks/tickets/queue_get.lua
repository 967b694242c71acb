-- wrk script: GET one queue page (GET /v1/tickets?view=...) with an agent key (Tests/Benchmarks/tickets/queues.sh).
--
-- Environment:
--   BENCH_API_KEY  bearer token (an agent key)
--   BENCH_PATH     path and query string, e.g. /v1/tickets?view=unassigned&group=delivery
--
-- done() prints one machine-readable line, the same as Tests/Benchmarks/http/post_ticket.lua:
--   BENCH_RESULT requests=N duration_us=N rps=X p50_us=N p90_us=N p99_us=N max_us=N non2xx=N socket_errors=N

local api_key = os.getenv("BENCH_API_KEY") or ""
local path = os.getenv("BENCH_PATH") or "/v1/tickets"

function request()
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. api_key, ["Accept"] = "application/json" })
end

function done(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format(
        "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d non2xx=%d socket_errors=%d\n",
        summary.requests, summary.duration, summary.requests / secs,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.status, e.connect + e.read + e.write + e.timeout))
end
