-- wrk script: POST /v1/tickets with a unique Idempotency-Key per request (scripts/bench.sh).
--
-- Environment:
--   BENCH_API_KEY      bearer token (an agent key)
--   BENCH_CUSTOMER_ID  customer uuid the tickets belong to
--   BENCH_RUN          run label, makes idempotency keys unique across runs
--
-- done() prints one machine-readable line:
--   BENCH_RESULT requests=N duration_us=N rps=X p50_us=N p90_us=N p99_us=N max_us=N non2xx=N socket_errors=N

local api_key = os.getenv("BENCH_API_KEY") or ""
local customer_id = os.getenv("BENCH_CUSTOMER_ID") or "00000000-0000-0000-0000-000000000000"
local run = os.getenv("BENCH_RUN") or tostring(os.time())

local threads = {}
local thread_counter = 0

function setup(thread)
    thread_counter = thread_counter + 1
    thread:set("tid", thread_counter)
    table.insert(threads, thread)
end

-- `tid` is a global set per thread by setup() through thread:set().
local counter = 0
local body = string.format(
    '{"customer_id": "%s", "subject": "Where is my order?", "message": "Order #1001 has not arrived yet.", "channel": "email"}',
    customer_id)

function request()
    counter = counter + 1
    local headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. api_key,
        ["Idempotency-Key"] = string.format("bench-%s-t%d-%d", run, tid or 0, counter),
    }
    return wrk.format("POST", "/v1/tickets", headers, body)
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
