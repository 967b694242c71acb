#!/usr/bin/env bash
# Webhook ingestion through the running suite (called by scripts/bench.sh while the suite is up).
#
# usage: Tests/Benchmarks/webhooks/run.sh BASE_URL ADMIN_KEY DATABASE_URL OUT_DIR
#
#   1. connects a Shopify store through POST /v1/stores
#   2. baseline: pgbench storing a delivery and appending its event (16 clients, BENCH_WEBHOOK_SECONDS)
#   3. load: driver.py sends BENCH_WEBHOOK_COUNT signed orders/create deliveries over 16 connections
#   4. waits (bounded) until the customers.store_sync consumer has applied every one of them
#   5. prints acknowledged per second, applied per second (first received to last applied) and the ratio of the
#      acknowledgement rate to the raw baseline
# Prints key=value lines. Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BASE_URL="$1"
ADMIN_KEY="$2"
DB_URL="$3"
OUT="$4"
SECONDS_PER_RUN="${BENCH_WEBHOOK_SECONDS:-10}"
COUNT="${BENCH_WEBHOOK_COUNT:-3000}"
RUN="wh$(date +%s)"
SHOP="bench-$RUN.myshopify.com"
SECRET="bench-secret-$RUN-0123456789"

psql_value() { psql "$DB_URL" -tAq -c "$1"; }

# 1. the store
curl -sS --max-time 10 -X POST "$BASE_URL/v1/stores" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $ADMIN_KEY" -H "Idempotency-Key: bench-store-$RUN" \
    -d "{\"platform\":\"shopify\",\"shop_domain\":\"$SHOP\",\"name\":\"Bench\",\"webhook_secret\":\"$SECRET\"}" \
    >"$OUT/webhook-store.json"

# 2. raw baseline (bodies of the same size as the driver's)
body="$(python3 -c 'import json; print(json.dumps({"pad": "x" * 900}))')"
pgbench -n -M extended -c 16 -j 2 -T "$SECONDS_PER_RUN" -D "body=$body" -f "$HERE/delivery_insert.sql" "$DB_URL" \
    >"$OUT/pgbench-webhooks.txt" 2>&1 || true
raw_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench-webhooks.txt" | tail -n 1)"
psql_value "DELETE FROM customers.store_deliveries WHERE shop_domain = 'pgbench.myshopify.com'" >/dev/null || true

# 3. signed deliveries through the gateway
timeout 600 python3 "$HERE/driver.py" "$BASE_URL" "$SHOP" "$SECRET" "$COUNT" 16 "$RUN" >"$OUT/webhook-driver.txt" 2>&1 || true
value() { sed -n "s/^$1=//p" "$OUT/webhook-driver.txt"; }

# 4. wait for the store-sync consumer (at most 180 s)
applied=0
for _ in $(seq 1 900); do
    applied="$(psql_value "SELECT count(*) FROM customers.store_deliveries WHERE shop_domain = '$SHOP' AND applied_at IS NOT NULL")"
    [[ "$applied" -ge "$COUNT" ]] && break
    sleep 0.2
done

# 5. rates
apply_rate="$(psql_value "
    SELECT round((count(*) / greatest(extract(epoch FROM max(applied_at) - min(received_at)), 0.001))::numeric, 1)
    FROM customers.store_deliveries WHERE shop_domain = '$SHOP' AND applied_at IS NOT NULL")"
store_id="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("id", ""))' "$OUT/webhook-store.json" 2>/dev/null || true)"
orders="n/a"
[[ -n "$store_id" ]] && orders="$(psql_value "SELECT count(*) FROM customers.orders WHERE store_id = '$store_id'")"
ack_rate="$(value ack_rate)"
ratio="n/a"
if [[ -n "$raw_tps" && -n "$ack_rate" ]]; then
    ratio="$(python3 -c "print(round($ack_rate / $raw_tps, 3))")"
fi
echo "webhooks_raw_store_tps=${raw_tps:-n/a}"
echo "webhooks_sent=$COUNT"
echo "webhooks_acknowledged=$(value acknowledged)"
echo "webhooks_failed=$(value failed)"
echo "webhooks_ack_rate=${ack_rate:-n/a}"
echo "webhooks_applied=$applied"
echo "webhooks_apply_rate=${apply_rate:-n/a}"
echo "webhooks_orders_mirrored=$orders"
echo "webhooks_ack_ratio_to_raw_store=$ratio"
