#!/usr/bin/env bash
# Loyalty ledger throughput with a running balance check (called by scripts/bench.sh while the suite is up).
#
# usage: Tests/Benchmarks/loyalty/run.sh BASE_URL ADMIN_KEY DATABASE_URL OUT_DIR
#
#   1. baseline: pgbench, 8 clients, BENCH_LOYALTY_SECONDS: one entry + its cached balance per transaction
#      (ledger_txn.sql), the raw cost of a ledger effect
#   2. rules (1 point per unit, a 200% shoe multiplier, a 1000-point referral bonus) and a 10-point reward, through
#      the gateway
#   3. earn: BENCH_LOYALTY_ORDERS `order.paid` events of 200 customers inserted into the log at once
#      (orders_insert.sql); waits (bounded) until the loyalty.program consumer has earned every order. Earn rate =
#      orders / (last earn entry - first event)
#   4. redeem: 16 customers funded by referral bonuses (8 rich, 8 with 100 redemptions' worth, so refusals happen
#      under load), then wrk -c16 POST /v1/customers/{id}/loyalty/redemptions for BENCH_LOYALTY_SECONDS, while a
#      checker verifies the ledger once a second (POST /v1/loyalty/ledger/verify: every cached balance equals its
#      entries) and counts negative available balances
#   5. final: per redeemer, funded - 10 x codes issued = available; verify once more
# Prints key=value lines. Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BASE_URL="$1"
ADMIN_KEY="$2"
DB_URL="$3"
OUT="$4"
SECONDS_PER_RUN="${BENCH_LOYALTY_SECONDS:-10}"
ORDERS="${BENCH_LOYALTY_ORDERS:-5000}"
RUN="ly$(date +%s)"

psql_value() { psql "$DB_URL" -tAq -c "$1"; }
post() { # post PATH JSON -> body (fails on non-2xx)
    curl -sS -f -X POST "$BASE_URL$1" -H "Authorization: Bearer $ADMIN_KEY" -H "Content-Type: application/json" \
        -H "Idempotency-Key: $RUN-$(cat /proc/sys/kernel/random/uuid)" --max-time 30 -d "$2"
}
json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# 1. raw ledger transaction baseline
pgbench -n -M extended -c 8 -j 2 -T "$SECONDS_PER_RUN" -f "$HERE/ledger_txn.sql" "$DB_URL" >"$OUT/pgbench-loyalty.txt" 2>&1 || true
raw_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench-loyalty.txt" | tail -n 1)"

# 2. program set-up
post /v1/loyalty/rules '{"rules":{"points_per_unit":1,"referrer_bonus":1000,
    "multipliers":[{"name":"shoes","sku_prefixes":["SHOE-"],"percent":200}]}}' >"$OUT/loyalty-rules.json"
reward="$(post /v1/loyalty/rewards '{"name":"bench 10 points","kind":"free_shipping","points_cost":10}' | json_field "['reward_id']")"

# 3. earn
start_ts="$(psql_value "SELECT now()")"
psql "$DB_URL" -q -v ON_ERROR_STOP=1 -v orders="$ORDERS" -v customers=200 -v run="$RUN" -f "$HERE/orders_insert.sql"
earned=0
for _ in $(seq 1 900); do
    earned="$(psql_value "SELECT count(*) FROM loyalty.order_earnings e JOIN events.log l ON l.aggregate_id = e.order_id::text
        WHERE l.type = 'order.paid' AND l.source = 'bench' AND l.occurred_at >= '$start_ts'")"
    [[ "$earned" -ge "$ORDERS" ]] && break
    sleep 0.2
done
earn_rate="$(psql_value "
    SELECT round((count(*) / greatest(extract(epoch FROM max(n.created_at) - min(l.occurred_at)), 0.001))::numeric, 1)
    FROM loyalty.entries n JOIN events.log l ON l.aggregate_id = n.order_id::text AND l.type = 'order.paid'
    WHERE n.kind = 'earn' AND l.source = 'bench' AND l.occurred_at >= '$start_ts'")"
# Each order: shoes 30.00 x 200% = 60 points, socks 15.00 = 15 points.
earn_points_ok="$(psql_value "SELECT count(*) = 0 FROM loyalty.entries n JOIN events.log l
    ON l.aggregate_id = n.order_id::text AND l.type = 'order.paid' AND l.source = 'bench' AND l.occurred_at >= '$start_ts'
    WHERE n.kind = 'earn' AND n.amount <> 75")"

# 4. fund the redeemers through referral bonuses, then redeem under load with a running balance check
customers=()
for i in $(seq 1 16); do
    c="$(cat /proc/sys/kernel/random/uuid)"
    customers+=("$c")
    referrals=1
    ((i <= 8)) && referrals=20
    for _ in $(seq 1 "$referrals"); do
        post "/v1/customers/$c/loyalty/bonuses" \
            "{\"kind\":\"referral\",\"referred_customer_id\":\"$(cat /proc/sys/kernel/random/uuid)\"}" >/dev/null
    done
done
ids="$(IFS=,; echo "${customers[*]}")"
in_list="'$(IFS=,; echo "${customers[*]}" | sed "s/,/','/g")'"

checks=0 mismatches=0 negatives=0
(
    while true; do
        result="$(curl -sS -X POST "$BASE_URL/v1/loyalty/ledger/verify" -H "Authorization: Bearer $ADMIN_KEY" --max-time 10 || echo '{}')"
        m="$(json_field ".get('mismatched', [None]).__len__()" <<<"$result" 2>/dev/null || echo 1)"
        n="$(psql_value "SELECT count(*) FROM loyalty.accounts WHERE customer_id IN ($in_list) AND available < 0")"
        echo "$m $n"
        sleep 1
    done
) >"$OUT/loyalty-checks.txt" &
checker=$!
BENCH_API_KEY="$ADMIN_KEY" BENCH_REWARD="$reward" BENCH_CUSTOMERS="$ids" timeout $((SECONDS_PER_RUN + 30)) \
    wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --timeout 5s -s "$HERE/redeem.lua" "$BASE_URL" >"$OUT/wrk-loyalty.txt" 2>&1 || true
kill "$checker" 2>/dev/null || true
wait "$checker" 2>/dev/null || true
while read -r m n; do
    checks=$((checks + 1))
    mismatches=$((mismatches + m))
    negatives=$((negatives + n))
done <"$OUT/loyalty-checks.txt"

value() { sed -n "s/^$1=//p" "$OUT/wrk-loyalty.txt"; }
created="$(value redeem_created)" refused="$(value redeem_refused)"
requests="$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$OUT/wrk-loyalty.txt")"

# 5. final balance check: funded - 10 x codes issued = available, for every redeemer; and the whole ledger
wrong="$(psql_value "
    SELECT count(*) FROM loyalty.accounts a
    WHERE a.customer_id IN ($in_list)
      AND a.available <> (SELECT coalesce(sum(amount), 0) FROM loyalty.entries e WHERE e.customer_id = a.customer_id
                          AND e.kind = 'referral')
                         - 10 * (SELECT count(*) FROM loyalty.redemptions r WHERE r.customer_id = a.customer_id)")"
issued="$(psql_value "SELECT count(*) FROM loyalty.redemptions WHERE customer_id IN ($in_list)")"
final="$(curl -sS -X POST "$BASE_URL/v1/loyalty/ledger/verify" -H "Authorization: Bearer $ADMIN_KEY" --max-time 60 || echo '{}')"

redeem_rate="n/a"
[[ "$created" =~ ^[0-9]+$ ]] && redeem_rate="$(python3 -c "print(round($created / $SECONDS_PER_RUN, 1))")"
ratio() { [[ -n "$raw_tps" && "$1" =~ ^[0-9.]+$ ]] && python3 -c "print(round($1 / $raw_tps, 3))" || echo n/a; }
echo "loyalty_raw_ledger_tps=${raw_tps:-n/a}"
echo "loyalty_orders=$ORDERS"
echo "loyalty_orders_earned=$earned"
echo "loyalty_earn_points_ok=$earn_points_ok"
echo "loyalty_earn_rate=${earn_rate:-n/a}"
echo "loyalty_earn_ratio=$(ratio "${earn_rate:-}")"
echo "loyalty_redeem_requests=${requests:-n/a}"
echo "loyalty_redeemed=${created:-n/a}"
echo "loyalty_refused=${refused:-n/a}"
echo "loyalty_codes_issued=$issued"
echo "loyalty_redeem_rate=$redeem_rate"
echo "loyalty_redeem_ratio=$(ratio "$redeem_rate")"
echo "loyalty_redeem_p50_us=$(value redeem_p50_us)"
echo "loyalty_redeem_p99_us=$(value redeem_p99_us)"
echo "loyalty_balance_checks=$checks"
echo "loyalty_balance_mismatches=$mismatches"
echo "loyalty_negative_balances=$negatives"
echo "loyalty_final_wrong_balances=$wrong"
echo "loyalty_final_mismatched=$(json_field ".get('mismatched', [None]).__len__()" <<<"$final" 2>/dev/null || echo n/a)"
echo "loyalty_final_balanced=$(json_field ".get('balanced')" <<<"$final" 2>/dev/null || echo n/a)"
