#!/usr/bin/env bash
# Ticket creation with routing and SLA on, through the running suite (called by scripts/bench.sh after the plain
# POST /v1/tickets runs, while the suite is up).
#
# usage: Tests/Benchmarks/tickets/routing.sh BASE_URL ADMIN_KEY API_KEY CUSTOMER_ID DATABASE_URL OUT_DIR
#
#   1. configures through the gateway (admin key): PUT /v1/groups/delivery (round_robin, categories ["delivery"]),
#      BENCH_ROUTING_AGENTS (4) agents in it with POST /v1/agents (no capacity: routing never runs out of room, but
#      it still locks every eligible agent and counts their unsolved tickets), and PUT /v1/sla with sla.json (a
#      Europe/Berlin business calendar with weekday and Saturday blocks and holidays; policies per priority, two per
#      channel; the bench tickets are normal/email and get `normal-email`)
#   2. probe: one POST /v1/tickets must come back in group `delivery`, assigned, and have a running SLA target
#      (GET /v1/tickets/{id}/sla): otherwise the load would not measure routing + SLA and is not run
#   3. load: wrk POST /v1/tickets at 32 connections for BENCH_WRK_SECONDS (10) with the same Lua script as the plain
#      runs (Tests/Benchmarks/http/post_ticket.lua: subject "Where is my order?", which the delivery keyword rule
#      categorises, so every creation is grouped, routed round-robin and gets its SLA targets stored)
#   4. from the database: tickets created by the run, how many were routed into `delivery` and assigned, how many
#      have SLA targets, and the spread over the agents
# Prints key=value lines (routing_*). Loopback only; every step bounded in time.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH="$(cd "$HERE/.." && pwd)"
BASE_URL="$1"
ADMIN_KEY="$2"
API_KEY="$3"
CUSTOMER_ID="$4"
DB_URL="$5"
OUT="$6"
SECONDS_PER_RUN="${BENCH_WRK_SECONDS:-10}"
AGENTS="${BENCH_ROUTING_AGENTS:-4}"
CONNECTIONS=32
RUN="rt$(date +%s)-$$"

psql_value() { psql "$DB_URL" -tAq -v ON_ERROR_STOP=1 -c "$1"; }
setup_note=""
fail_setup() { [[ -n "$setup_note" ]] || setup_note="$1"; }

# call METHOD PATH BODY NAME: answers the HTTP status; the body goes to OUT/routing-NAME.json
call() {
    curl -sS --max-time 10 -o "$OUT/routing-$4.json" -w '%{http_code}' -X "$1" "$BASE_URL$2" \
        -H 'Content-Type: application/json' -H "Authorization: Bearer $ADMIN_KEY" \
        -H "Idempotency-Key: bench-$RUN-$4" --data-binary "$3" 2>>"$OUT/routing-curl.err" || echo 000
}

# 1. group, agents, SLA
code="$(call PUT /v1/groups/delivery \
    '{"description": "Bench: delivery questions", "assignment": "round_robin", "categories": ["delivery"]}' group)"
[[ "$code" == 200 ]] || fail_setup "PUT /v1/groups/delivery answered $code: $(head -c 200 "$OUT/routing-group.json")"
for i in $(seq 1 "$AGENTS"); do
    code="$(call POST /v1/agents \
        "{\"name\": \"Bench agent $i\", \"email\": \"bench-$RUN-agent-$i@example.com\", \"groups\": [\"delivery\"]}" \
        "agent-$i")"
    [[ "$code" == 201 ]] || fail_setup "POST /v1/agents answered $code: $(head -c 200 "$OUT/routing-agent-$i.json")"
done
code="$(call PUT /v1/sla "$(cat "$HERE/sla.json")" sla)"
[[ "$code" == 200 ]] || fail_setup "PUT /v1/sla answered $code: $(head -c 200 "$OUT/routing-sla.json")"

# 2. probe: grouped, assigned, SLA running
if [[ -z "$setup_note" ]]; then
    curl -sS --max-time 10 -o "$OUT/routing-probe.json" -X POST "$BASE_URL/v1/tickets" \
        -H 'Content-Type: application/json' -H "Authorization: Bearer $API_KEY" -H "Idempotency-Key: bench-$RUN-probe" \
        -d "{\"customer_id\": \"$CUSTOMER_ID\", \"subject\": \"Where is my order?\", \"message\": \"Order #1001 has not arrived yet.\", \"channel\": \"email\"}" \
        2>>"$OUT/routing-curl.err" || true
    read -r probe_id probe_group probe_assignee <<<"$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
print(t.get("id") or "-", t.get("group") or "-", t.get("assignee_id") or "-")' "$OUT/routing-probe.json" 2>/dev/null || echo "- - -")"
    if [[ "$probe_group" != delivery || "$probe_assignee" == - ]]; then
        fail_setup "probe ticket not routed (group $probe_group, assignee $probe_assignee): $(head -c 200 "$OUT/routing-probe.json")"
    else
        curl -sS --max-time 10 -o "$OUT/routing-probe-sla.json" "$BASE_URL/v1/tickets/$probe_id/sla" \
            -H "Authorization: Bearer $API_KEY" 2>>"$OUT/routing-curl.err" || true
        probe_policy="$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
running = [m["metric"] for m in s.get("metrics", []) if m.get("phase") == "running"]
print((s.get("policy") or "-") + ":" + ",".join(running))' "$OUT/routing-probe-sla.json" 2>/dev/null || echo "-:")"
        stored="$(psql_value "SELECT count(*) FROM tickets.sla_targets WHERE ticket_id = '$probe_id' AND phase = 'running'" || echo 0)"
        if [[ "${probe_policy%%:*}" == - || "$stored" == 0 ]]; then
            fail_setup "probe ticket has no running SLA target (policy ${probe_policy}, stored $stored)"
        fi
    fi
fi

# 3. load
if [[ -z "$setup_note" ]]; then
    start_ts="$(psql_value "SELECT now()")"
    BENCH_API_KEY="$API_KEY" BENCH_CUSTOMER_ID="$CUSTOMER_ID" BENCH_RUN="$RUN-c$CONNECTIONS" \
        timeout $((SECONDS_PER_RUN + 30)) wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 5s --latency \
        -s "$BENCH/http/post_ticket.lua" "$BASE_URL/v1/tickets" >"$OUT/wrk-routing-c$CONNECTIONS.txt" 2>&1 || true
    # requests still queued in the suite when wrk stopped commit shortly after: wait (at most 30 s) until the
    # run's ticket count has not changed for a second, so the counts below are final
    last=-1
    for _ in $(seq 1 30); do
        n="$(psql_value "SELECT count(*) FROM tickets.tickets WHERE customer_id = '$CUSTOMER_ID' AND created_at >= '$start_ts'" || echo -2)"
        [[ "$n" == "$last" ]] && break
        last="$n"
        sleep 1
    done
    line="$(grep '^BENCH_RESULT ' "$OUT/wrk-routing-c$CONNECTIONS.txt" | tail -n 1 || true)"
    for kv in ${line#BENCH_RESULT }; do
        case "${kv%%=*}" in
            rps | p50_us | p90_us | p99_us | max_us | non2xx | socket_errors | requests) echo "routing_$kv" ;;
        esac
    done

    # 4. what the run did (tickets of the run: created since start_ts, one customer, by this wrk run only)
    read -r created routed with_sla agents min_per max_per <<<"$(psql_value "
        WITH run AS (SELECT t.id, t.group_name, t.assignee_id FROM tickets.tickets t
                     WHERE t.customer_id = '$CUSTOMER_ID' AND t.created_at >= '$start_ts'),
             per AS (SELECT assignee_id, count(*) AS n FROM run WHERE assignee_id IS NOT NULL GROUP BY assignee_id)
        SELECT (SELECT count(*) FROM run),
               (SELECT count(*) FROM run WHERE group_name = 'delivery' AND assignee_id IS NOT NULL),
               (SELECT count(DISTINCT s.ticket_id) FROM tickets.sla_targets s JOIN run ON run.id = s.ticket_id
                 WHERE s.policy = 'normal-email'),
               (SELECT count(*) FROM per), coalesce((SELECT min(n) FROM per), 0), coalesce((SELECT max(n) FROM per), 0)
        " | tr '|' ' ')"
    echo "routing_created=${created:-n/a}"
    echo "routing_routed=${routed:-n/a}"
    echo "routing_with_sla=${with_sla:-n/a}"
    echo "routing_agents_used=${agents:-n/a}"
    echo "routing_per_agent_min=${min_per:-n/a}"
    echo "routing_per_agent_max=${max_per:-n/a}"
fi
echo "routing_agents=$AGENTS"
echo "routing_connections=$CONNECTIONS"
echo "routing_setup=${setup_note:-ok}"
