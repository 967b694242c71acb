#!/usr/bin/env bash
# Event throughput and latency through the running suite (called by scripts/bench.sh while the suite is up).
#
# usage: Tests/Benchmarks/events/run.sh BASE_URL API_KEY DATABASE_URL OUT_DIR
#
#   1. baseline: pgbench appending single events to events.log (8 clients, BENCH_EVENTS_SECONDS)
#   2. load: wrk POST /v1/customers (8 connections, same duration); each success commits one customer.created
#   3. waits (bounded) until the loyalty.accounts consumer has applied every customer.created of the run
#   4. from the database: events applied per second (first occurred_at to last applied_at) and the
#      publish-to-apply latency p50/p99 (applied_at - occurred_at), and the ratio to the baseline
# Prints key=value lines. Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BASE_URL="$1"
API_KEY="$2"
DB_URL="$3"
OUT="$4"
SECONDS_PER_RUN="${BENCH_EVENTS_SECONDS:-10}"
RUN="ev$(date +%s)"

psql_value() { psql "$DB_URL" -tAq -c "$1"; }

# 1. raw insert baseline
pgbench -n -M extended -c 8 -j 2 -T "$SECONDS_PER_RUN" -f "$HERE/log_insert.sql" "$DB_URL" >"$OUT/pgbench-events.txt" 2>&1 || true
raw_tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench-events.txt" | tail -n 1)"

# 2. publish through the suite
start_ts="$(psql_value "SELECT now()")"
BENCH_API_KEY="$API_KEY" BENCH_RUN="$RUN" timeout $((SECONDS_PER_RUN + 30)) \
    wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --timeout 5s -s "$HERE/post_customer.lua" "$BASE_URL/v1/customers" \
    >"$OUT/wrk-events.txt" 2>&1 || true

published="$(psql_value "SELECT count(*) FROM events.log WHERE type = 'customer.created' AND occurred_at >= '$start_ts'")"

# 3. wait for the consumer to apply them all (at most 120 s)
applied=0
for _ in $(seq 1 600); do
    applied="$(psql_value "SELECT count(*) FROM loyalty.applied_events a JOIN events.log e ON e.id = a.event_id
        WHERE a.consumer = 'loyalty.accounts' AND e.type = 'customer.created' AND e.occurred_at >= '$start_ts'")"
    [[ "$applied" -ge "$published" ]] && break
    sleep 0.2
done

# 4. rates and latencies
read -r rate p50 p99 <<<"$(psql_value "
    SELECT round((count(*) / greatest(extract(epoch FROM max(a.applied_at) - min(e.occurred_at)), 0.001))::numeric, 1),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.applied_at - e.occurred_at)) * 1000)::numeric, 2),
           round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM a.applied_at - e.occurred_at)) * 1000)::numeric, 2)
    FROM loyalty.applied_events a JOIN events.log e ON e.id = a.event_id
    WHERE a.consumer = 'loyalty.accounts' AND e.type = 'customer.created' AND e.occurred_at >= '$start_ts'" | tr '|' ' ')"

ratio="n/a"
if [[ -n "$raw_tps" && -n "$rate" ]]; then
    ratio="$(python3 -c "print(round($rate / $raw_tps, 3))")"
fi
echo "events_raw_insert_tps=${raw_tps:-n/a}"
echo "events_published=$published"
echo "events_applied=$applied"
echo "events_apply_rate=${rate:-n/a}"
echo "events_latency_p50_ms=${p50:-n/a}"
echo "events_latency_p99_ms=${p99:-n/a}"
echo "events_ratio_to_raw_insert=$ratio"
