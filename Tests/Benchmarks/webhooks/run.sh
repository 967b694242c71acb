#!/usr/bin/env bash
# Webhook ingestion through the running suite (called by scripts/bench.sh while the suite is up).
#
# usage: Tests/Benchmarks/webhooks/run.sh BASE_URL ADMIN_KEY DATABASE_URL OUT_DIR
#
#   1. connects a Shopify store and (unless BENCH_WEBHOOK_WOO=0) a WooCommerce store through POST /v1/stores
#   2. baseline: pgbench storing a delivery and appending its event (16 clients, BENCH_WEBHOOK_SECONDS)
#   3. load: driver.py sends BENCH_WEBHOOK_COUNT signed deliveries over 16 keep-alive connections: Shopify
#      orders/create, and every second one a WooCommerce order.updated when the WooCommerce store is connected;
#      it times every request (acknowledgement latency at that fixed concurrency)
#   4. waits (bounded) until the customers.store_sync consumer has applied every acknowledged one
#   5. prints acknowledged per second, acknowledgement latency p50/p90/p99/max, applied per second (first received
#      to last applied), how many were applied as `failed`, and the ratio of the acknowledgement rate to the raw
#      baseline
# Prints key=value lines. Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BASE_URL="$1"
ADMIN_KEY="$2"
DB_URL="$3"
OUT="$4"
SECONDS_PER_RUN="${BENCH_WEBHOOK_SECONDS:-10}"
COUNT="${BENCH_WEBHOOK_COUNT:-3000}"
WOO="${BENCH_WEBHOOK_WOO:-1}"
CONCURRENCY=16
RUN="wh$(date +%s)"
SHOP="bench-$RUN.myshopify.com"
SECRET="bench-secret-$RUN-0123456789"
WOO_SHOP="bench-woo-$RUN.example.org"
WOO_SECRET="bench-woo-secret-$RUN-0123456789"

psql_value() { psql "$DB_URL" -tAq -c "$1"; }

# 1. the stores
connect() { # connect PLATFORM DOMAIN SECRET OUT_FILE
    curl -sS --max-time 10 -X POST "$BASE_URL/v1/stores" -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $ADMIN_KEY" -H "Idempotency-Key: bench-store-$1-$RUN" \
        -d "{\"platform\":\"$1\",\"shop_domain\":\"$2\",\"name\":\"Bench $1\",\"webhook_secret\":\"$3\"}" \
        >"$4" || true
}
store_id_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$1" 2>/dev/null || true; }
connect shopify "$SHOP" "$SECRET" "$OUT/webhook-store.json"
store_id="$(store_id_of "$OUT/webhook-store.json")"
woo_args=()
woo_store_id=""
if [[ "$WOO" != 0 ]]; then
    connect woocommerce "$WOO_SHOP" "$WOO_SECRET" "$OUT/webhook-woo-store.json"
    woo_store_id="$(store_id_of "$OUT/webhook-woo-store.json")"
    # Without the store the driver would only collect 401s: then Shopify only.
    if [[ -n "$woo_store_id" ]]; then woo_args=("https://$WOO_SHOP/" "$WOO_SECRET"); fi
fi
domains="'$SHOP', '$WOO_SHOP'"

# 2. raw baseline (bodies of the same size as the driver's)
body="$(python3 -c 'import json; print(json.dumps({"pad": "x" * 900}))')"
pgbench -n -M extended -c 16 -j 2 -T "$SECONDS_PER_RUN" -D "body=$body" -f "$HERE/delivery_insert.sql" "$DB_URL" \
    >"$OUT/pgbench-webhooks.txt" 2>&1 || true
raw_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench-webhooks.txt" | tail -n 1)"
psql_value "DELETE FROM customers.store_deliveries WHERE shop_domain = 'pgbench.myshopify.com'" >/dev/null || true

# 3. signed deliveries through the gateway
timeout 600 python3 "$HERE/driver.py" "$BASE_URL" "$SHOP" "$SECRET" "$COUNT" "$CONCURRENCY" "$RUN" "${woo_args[@]}" \
    >"$OUT/webhook-driver.txt" 2>&1 || true
value() { sed -n "s/^$1=//p" "$OUT/webhook-driver.txt"; }
acknowledged="$(value acknowledged)"
[[ "$acknowledged" =~ ^[0-9]+$ ]] || acknowledged="$COUNT"

# 4. wait for the store-sync consumer to apply every acknowledged delivery (at most 180 s)
applied=0
for _ in $(seq 1 900); do
    applied="$(psql_value "SELECT count(*) FROM customers.store_deliveries WHERE shop_domain IN ($domains) AND applied_at IS NOT NULL")"
    [[ "$applied" -ge "$acknowledged" ]] && break
    sleep 0.2
done

# 5. rates
apply_rate="$(psql_value "
    SELECT round((count(*) / greatest(extract(epoch FROM max(applied_at) - min(received_at)), 0.001))::numeric, 1)
    FROM customers.store_deliveries WHERE shop_domain IN ($domains) AND applied_at IS NOT NULL")"
outcome_failed="$(psql_value "SELECT count(*) FROM customers.store_deliveries WHERE shop_domain IN ($domains) AND outcome = 'failed'")"
orders="n/a"
if [[ -n "$store_id" ]]; then
    orders="$(psql_value "SELECT count(*) FROM customers.orders WHERE store_id IN ('$store_id'${woo_store_id:+, '$woo_store_id'})")"
fi
ack_rate="$(value ack_rate)"
ratio="n/a"
if [[ -n "$raw_tps" && -n "$ack_rate" ]]; then
    ratio="$(python3 -c "print(round($ack_rate / $raw_tps, 3))")"
fi
echo "webhooks_raw_store_tps=${raw_tps:-n/a}"
echo "webhooks_sent=$COUNT"
echo "webhooks_shopify_sent=$(value shopify_sent)"
echo "webhooks_woocommerce_sent=$(value woocommerce_sent)"
echo "webhooks_concurrency=$CONCURRENCY"
echo "webhooks_acknowledged=$(value acknowledged)"
echo "webhooks_failed=$(value failed)"
echo "webhooks_ack_rate=${ack_rate:-n/a}"
echo "webhooks_ack_p50_ms=$(value ack_p50_ms)"
echo "webhooks_ack_p90_ms=$(value ack_p90_ms)"
echo "webhooks_ack_p99_ms=$(value ack_p99_ms)"
echo "webhooks_ack_max_ms=$(value ack_max_ms)"
echo "webhooks_applied=$applied"
echo "webhooks_applied_failed=${outcome_failed:-n/a}"
echo "webhooks_apply_rate=${apply_rate:-n/a}"
echo "webhooks_orders_mirrored=$orders"
echo "webhooks_ack_ratio_to_raw_store=$ratio"
