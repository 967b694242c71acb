#!/usr/bin/env bash
# Queue pages (GET /v1/tickets?view=...) over a small and a large ticket table, through the running suite (called by
# scripts/bench.sh as its last load, while the suite is up; it empties tickets.tickets first).
#
# usage: Tests/Benchmarks/tickets/queues.sh BASE_URL API_KEY DATABASE_URL OUT_DIR
#
#   1. setup.sql: TRUNCATE tickets.tickets CASCADE (the earlier sections' tickets go), the four groups, 50 agents
#   2. loads BENCH_QUEUE_SMALL_TICKETS (10,000) tickets with seed.sql (INSERT ... SELECT ... FROM generate_series,
#      distribution in seed.sql), ANALYZE, then measures every view below
#   3. loads the rest up to BENCH_QUEUE_TICKETS (1,000,000) the same way, in chunks of 100,000 rows (one transaction
#      each), times the load, ANALYZE, and measures every view again
#   Per view and size: a 2 s warm-up, then wrk -t2 -c16 for BENCH_QUEUE_SECONDS (BENCH_WRK_SECONDS, 10) with an agent
#   key (queue_get.lua), the number of tickets in the view, and EXPLAIN (ANALYZE, BUFFERS) of the statement the
#   tickets service runs for it (TicketQueues.page, mirrored below; third run, warm), written to
#   OUT_DIR/explain-<size>-<view>.txt and summarised (indexes, sort, execution time, most rows a node produced,
#   buffers).
#
# Views (25 per page, the default):
#   unassigned  view=unassigned&group=delivery          (oldest first; partial index tickets_queue_unassigned_group_idx)
#   page2       the same with the cursor of its first page
#   mine        view=mine&agent_id=<agent 1>            (agent 1 holds 5% of all assigned tickets)
#   tag         view=all&tag=vip                        (1% of the tickets, newest first)
#   search      view=all&q=damaged                      (words of the subject: ~5% of the tickets, newest first)
#
# The status-history trigger is disabled for each load chunk (ALTER TABLE ... DISABLE TRIGGER inside the chunk's
# transaction, so it is back on even if the load fails) and seed.sql writes the same history rows set-based: a
# row-by-row PL/pgSQL insert a million times measures the trigger, not the queues, and would lengthen the load on
# two cores for nothing. Prints key=value lines (queue_*). Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BASE_URL="$1"
API_KEY="$2"
DB_URL="$3"
OUT="$4"
TOTAL="${BENCH_QUEUE_TICKETS:-1000000}"
SMALL="${BENCH_QUEUE_SMALL_TICKETS:-10000}"
SECONDS_PER_RUN="${BENCH_QUEUE_SECONDS:-${BENCH_WRK_SECONDS:-10}}"
CONNECTIONS=16
CHUNK=100000
VIEWS=(unassigned page2 mine tag search)
HEAVY_AGENT="$(python3 -c 'import hashlib, uuid; print(uuid.UUID(hashlib.md5(b"bench-queue-agent-1").hexdigest()))')"

((SMALL >= 1 && TOTAL > SMALL)) || {
    echo "queue_note=BENCH_QUEUE_TICKETS ($TOTAL) must be larger than BENCH_QUEUE_SMALL_TICKETS ($SMALL)"
    exit 0
}

now_ms() { date +%s%3N; }
psql_q() { timeout "${2:-120}" psql "$DB_URL" -X -tAq -v ON_ERROR_STOP=1 -c "$1"; }

# load FROM TO: rows FROM..TO in chunks, each one transaction with the history trigger off
load() {
    local from="$1" to="$2" end
    while ((from <= to)); do
        end=$((from + CHUNK - 1))
        ((end > to)) && end=$to
        timeout 900 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -v from="$from" -v to="$end" -1 \
            -c 'ALTER TABLE tickets.tickets DISABLE TRIGGER tickets_status_history' \
            -f "$HERE/seed.sql" \
            -c 'ALTER TABLE tickets.tickets ENABLE TRIGGER tickets_status_history' >>"$OUT/queue-load.log" 2>&1 || return 1
        from=$((end + 1))
    done
}

# The ticket JSON of PostgresTicketRepository.ticketJSON (Services/Tickets/Service/TicketRepository.swift).
TICKET_JSON="jsonb_build_object(
    'id', t.id, 'number', t.number, 'customer_id', t.customer_id, 'subject', t.subject, 'status', t.status,
    'priority', t.priority, 'channel', t.channel, 'category', t.category,
    'category_reason', t.category_reason, 'assignee_id', t.assignee_id, 'group', t.group_name,
    'tags', to_jsonb(t.tags), 'custom_fields', t.custom_fields, 'required_skills', to_jsonb(t.required_skills),
    'order_reference', t.order_reference,
    'order_id', t.order_id, 'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at,
    'first_reply_at', t.first_agent_reply_at, 'solved_at', t.solved_at, 'closed_at', t.closed_at,
    'reopen_count', t.reopen_count, 'merged_into', t.merged_into, 'follow_up_of', t.follow_up_of,
    'split_from', t.split_from)::text"
SORT_COLUMN="t.created_at"

# queue_sql VIEW [CURSOR_MICROS CURSOR_ID]: the statement of TicketQueues.page (Services/Tickets/Service/Queues/
# TicketQueues.swift) with the view's values as literals; PostgresNIO sends it unnamed, so PostgreSQL plans it with
# the actual values too (a custom plan). Keep in step with that file.
queue_sql() {
    local view="$1" micros="${2:-NULL}" id="${3:-NULL}" cond agent=NULL grp=NULL tag=NULL q=NULL cmp dir
    case "$view" in
        unassigned | page2) cond="t.assignee_id IS NULL AND t.status IN ('new', 'open')" grp="'delivery'" cmp=">" dir=ASC ;;
        mine) cond="t.status IN ('new', 'open', 'pending', 'on_hold')" agent="'$HEAVY_AGENT'" cmp=">" dir=ASC ;;
        tag) cond="true" tag="'vip'" cmp="<" dir=DESC ;;
        search) cond="true" q="'damaged'" cmp="<" dir=DESC ;;
    esac
    [[ "$id" == NULL ]] || id="'$id'"
    cat <<SQL
SELECT $TICKET_JSON, (extract(epoch FROM $SORT_COLUMN) * 1000000)::bigint
FROM tickets.tickets t
WHERE $cond
  AND ($agent::uuid IS NULL OR t.assignee_id = $agent::uuid)
  AND ($grp::text IS NULL OR t.group_name = $grp::text)
  AND (NULL::text IS NULL OR t.status = NULL::text)
  AND (NULL::text IS NULL OR t.priority = NULL::text)
  AND (NULL::text IS NULL OR t.category = NULL::text)
  AND (NULL::text IS NULL OR t.channel = NULL::text)
  AND ($tag::text IS NULL OR t.tags @> ARRAY[$tag::text])
  AND (NULL::uuid IS NULL OR t.customer_id = NULL::uuid)
  AND (NULL::text IS NULL OR lower(t.order_reference) IN (lower(NULL::text), '#' || lower(NULL::text)))
  AND ($q::text IS NULL OR t.search @@ websearch_to_tsquery('simple', $q::text))
  AND ($micros::bigint IS NULL
       OR ($SORT_COLUMN, t.id) $cmp ('epoch'::timestamptz + $micros::bigint * interval '1 microsecond', $id::uuid))
ORDER BY $SORT_COLUMN $dir, t.id $dir
LIMIT 26
SQL
}

# How many tickets a view holds (its WHERE without the cursor).
view_count() {
    local where
    case "$1" in
        unassigned | page2) where="assignee_id IS NULL AND status IN ('new', 'open') AND group_name = 'delivery'" ;;
        mine) where="assignee_id = '$HEAVY_AGENT' AND status IN ('new', 'open', 'pending', 'on_hold')" ;;
        tag) where="tags @> ARRAY['vip']" ;;
        search) where="search @@ websearch_to_tsquery('simple', 'damaged')" ;;
    esac
    psql_q "SELECT count(*) FROM tickets.tickets WHERE $where" || echo n/a
}

# measure SIZE: every view at the current table size
measure() {
    local size="$1" view path cursor decoded micros id line kv plan idx sort exec bufs rows
    path_of() {
        case "$1" in
            unassigned) echo "/v1/tickets?view=unassigned&group=delivery" ;;
            page2) echo "/v1/tickets?view=unassigned&group=delivery&cursor=$cursor" ;;
            mine) echo "/v1/tickets?view=mine&agent_id=$HEAVY_AGENT" ;;
            tag) echo "/v1/tickets?view=all&tag=vip" ;;
            search) echo "/v1/tickets?view=all&q=damaged" ;;
        esac
    }
    # the cursor of the first unassigned page, for page2
    curl -sS --max-time 30 -H "Authorization: Bearer $API_KEY" "$BASE_URL$(path_of unassigned)" \
        >"$OUT/queue-$size-page1.json" 2>/dev/null || true
    cursor="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("next_cursor", ""))' \
        "$OUT/queue-$size-page1.json" 2>/dev/null || true)"
    echo "queue_${size}_page1_items=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["items"]))' \
        "$OUT/queue-$size-page1.json" 2>/dev/null || echo n/a)"
    for view in "${VIEWS[@]}"; do
        echo "queue_${size}_${view}_tickets=$(view_count "$view")"
        if [[ "$view" == page2 && -z "$cursor" ]]; then
            echo "queue_${size}_${view}_note=no next_cursor on the first page"
            continue
        fi
        path="$(path_of "$view")"
        # warm-up (discarded), then the measured run
        BENCH_API_KEY="$API_KEY" BENCH_PATH="$path" timeout 40 wrk -t2 -c"$CONNECTIONS" -d2s --timeout 5s \
            -s "$HERE/queue_get.lua" "$BASE_URL" >/dev/null 2>&1 || true
        BENCH_API_KEY="$API_KEY" BENCH_PATH="$path" timeout $((SECONDS_PER_RUN + 30)) \
            wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 5s --latency \
            -s "$HERE/queue_get.lua" "$BASE_URL" >"$OUT/wrk-queue-$size-$view.txt" 2>&1 || true
        line="$(grep '^BENCH_RESULT ' "$OUT/wrk-queue-$size-$view.txt" | tail -n 1 || true)"
        for kv in ${line#BENCH_RESULT }; do
            case "${kv%%=*}" in
                rps | p50_us | p90_us | p99_us | max_us | non2xx | socket_errors | requests) echo "queue_${size}_${view}_$kv" ;;
            esac
        done
        # the plan of the same statement (third run: warm)
        micros=NULL id=NULL
        if [[ "$view" == page2 ]]; then
            decoded="$(python3 -c '
import base64, sys
c = sys.argv[1]
print(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4)).decode().replace(":", " ", 1))' "$cursor" 2>/dev/null || true)"
            read -r micros id <<<"$decoded"
        fi
        plan="$OUT/explain-$size-$view.txt"
        {
            echo "-- $size ($(psql_q 'SELECT count(*) FROM tickets.tickets') tickets), view $view: $path"
            queue_sql "$view" "${micros:-NULL}" "${id:-NULL}"
            echo
        } >"$plan"
        for _ in 1 2 3; do
            psql_q "EXPLAIN (ANALYZE, BUFFERS) $(queue_sql "$view" "${micros:-NULL}" "${id:-NULL}")" 300 \
                >"$plan.tmp" 2>&1 || true
        done
        cat "$plan.tmp" >>"$plan" && rm -f "$plan.tmp"
        idx="$(grep -oE '(Index Only Scan|Index Scan|Bitmap Index Scan)( Backward)? (using|on) [a-z0-9_]+' "$plan" |
            awk '{ print $NF }' | sort -u | paste -sd+ - || true)"
        grep -q 'Seq Scan on tickets' "$plan" && idx="${idx:+$idx+}seq scan"
        sort="$(grep -oE 'Sort Method: [a-zA-Z -]+' "$plan" | head -n 1 | sed 's/Sort Method: //; s/ *Memory.*//; s/ *$//' || true)"
        # the most rows any node produced: what the page cost to find (a page is 26 rows)
        rows="$(grep -oE 'actual time=[0-9.]+\.\.[0-9.]+ rows=[0-9]+' "$plan" | sed 's/.*rows=//' | sort -n | tail -n 1)"
        exec="$(sed -nE 's/.*Execution Time: ([0-9.]+) ms.*/\1/p' "$plan" | tail -n 1)"
        bufs="$(grep -m1 -oE 'Buffers: shared [a-z0-9= ]+' "$plan" | sed 's/Buffers: shared //' || true)"
        echo "queue_${size}_${view}_plan_index=${idx:-none}"
        echo "queue_${size}_${view}_plan_sort=${sort:-none}"
        echo "queue_${size}_${view}_plan_ms=${exec:-n/a}"
        echo "queue_${size}_${view}_plan_rows=${rows:-n/a}"
        echo "queue_${size}_${view}_plan_buffers=${bufs:-n/a}"
    done
}

echo "queue_connections=$CONNECTIONS"
echo "queue_seconds=$SECONDS_PER_RUN"
echo "queue_heavy_agent=$HEAVY_AGENT"

# 1. set-up, once nothing is being written any more (requests of an earlier section still queued in the suite
#    commit shortly after their load generator stopped; at most 30 s)
last=-1
for _ in $(seq 1 30); do
    n="$(psql_q 'SELECT count(*) FROM tickets.tickets' || echo -2)"
    [[ "$n" == "$last" ]] && break
    last="$n"
    sleep 1
done
if ! timeout 300 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -f "$HERE/setup.sql" >"$OUT/queue-load.log" 2>&1; then
    echo "queue_note=setup.sql failed: $(tail -n 3 "$OUT/queue-load.log" | tr '\n' ' ')"
    exit 0
fi

# 2. small table
t0="$(now_ms)"
if ! load 1 "$SMALL"; then
    echo "queue_note=loading $SMALL tickets failed: $(tail -n 3 "$OUT/queue-load.log" | tr '\n' ' ')"
    exit 0
fi
echo "queue_small_load_ms=$(($(now_ms) - t0))"
psql_q "ANALYZE tickets.tickets; ANALYZE tickets.status_changes" 600 >/dev/null
echo "queue_small_size=$(psql_q 'SELECT count(*) FROM tickets.tickets')"
measure small

# 3. large table
t0="$(now_ms)"
if ! load $((SMALL + 1)) "$TOTAL"; then
    echo "queue_note=loading up to $TOTAL tickets failed: $(tail -n 3 "$OUT/queue-load.log" | tr '\n' ' ')"
    exit 0
fi
load_ms=$(($(now_ms) - t0))
echo "queue_large_load_ms=$load_ms"
echo "queue_large_load_rows_per_s=$(python3 -c "print(round(($TOTAL - $SMALL) / max($load_ms, 1) * 1000))")"
t0="$(now_ms)"
psql_q "ANALYZE tickets.tickets; ANALYZE tickets.status_changes" 600 >/dev/null
echo "queue_large_analyze_ms=$(($(now_ms) - t0))"
echo "queue_large_size=$(psql_q 'SELECT count(*) FROM tickets.tickets')"
echo "queue_large_history_rows=$(psql_q 'SELECT count(*) FROM tickets.status_changes')"
echo "queue_large_table_mb=$(psql_q "SELECT round(pg_table_size('tickets.tickets') / 1048576.0)")"
echo "queue_large_indexes_mb=$(psql_q "SELECT round(pg_indexes_size('tickets.tickets') / 1048576.0)")"
measure large
echo "queue_note="
