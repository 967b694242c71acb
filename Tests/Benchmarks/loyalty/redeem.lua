-- wrk script: POST /v1/customers/{id}/loyalty/redemptions for a random customer of BENCH_CUSTOMERS (comma-separated
-- ids) and the reward BENCH_REWARD, each with its own Idempotency-Key. Counts 201 and 422 answers per thread.
local key = os.getenv("BENCH_API_KEY") or ""
local reward = os.getenv("BENCH_REWARD") or ""
local customers = {}
for id in string.gmatch(os.getenv("BENCH_CUSTOMERS") or "", "[^,]+") do customers[#customers + 1] = id end
local counter = 0
local threads = {}

function setup(thread)
    thread:set("tid", tostring(math.random(1, 1000000000)))
    table.insert(threads, thread)
end

function init()
    created = 0
    refused = 0
end

function request()
    counter = counter + 1
    local customer = customers[math.random(1, #customers)]
    return wrk.format("POST", "/v1/customers/" .. customer .. "/loyalty/redemptions", {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. key,
        ["Idempotency-Key"] = "bench-" .. tid .. "-" .. counter,
    }, '{"reward_id":"' .. reward .. '"}')
end

function response(status)
    if status == 201 then created = created + 1 elseif status == 422 then refused = refused + 1 end
end

function done(summary, latency, requests)
    local c, r = 0, 0
    for _, thread in ipairs(threads) do
        c = c + thread:get("created")
        r = r + thread:get("refused")
    end
    io.write(string.format("redeem_created=%d\nredeem_refused=%d\n", c, r))
    io.write(string.format("redeem_p50_us=%d\nredeem_p99_us=%d\n", latency:percentile(50), latency:percentile(99)))
end
