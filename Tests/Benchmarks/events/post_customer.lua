-- wrk script: POST /v1/customers with a unique email per request; every success publishes customer.created.
-- Environment: BENCH_API_KEY, BENCH_RUN (makes emails unique across runs).
local counter = 0
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local key = os.getenv("BENCH_API_KEY") or ""

function setup(thread)
    thread:set("tid", tostring(math.random(1, 1000000000)))
end

function request()
    counter = counter + 1
    local body = string.format('{"email":"ev-%s-%s-%d@bench.example.com"}', run, tid, counter)
    return wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. key,
    }, body)
end
