#!/usr/bin/env bash
# MDP benchmark: the Swift Majordomo broker against a C ROUTER/DEALER zmq_proxy baseline, same C client and worker.
#
# usage: Tests/Benchmarks/mdp/run.sh [path/to/release/broker]    (default .build/release/broker)
# Prints key=value lines (and one JSON line) with round-trip latency (median, p99 µs, one request at a time) and
# throughput (req/s with 100 in flight) through each broker, and the ratios:
#   latency_ratio    = swift median / proxy median        (target <= 1.5)
#   throughput_ratio = swift rps / proxy rps              (target >= 0.5)
# Loopback only; every loop is bounded; all processes are stopped on exit.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BROKER="${1:-$ROOT/.build/release/broker}"
LAT_N="${LAT_N:-5000}"
TPUT_N="${TPUT_N:-50000}"
OUT="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$OUT"
}
trap cleanup EXIT

[ -x "$BROKER" ] || { echo "error=broker binary not found at $BROKER" >&2; exit 2; }
cc -O2 -o "$OUT/proxy" "$HERE/proxy.c" -lzmq
cc -O2 -o "$OUT/bench" "$HERE/bench.c" -lzmq

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# (a) C proxy
FRONT=$(port); BACK=$(port)
"$OUT/proxy" "tcp://127.0.0.1:$FRONT" "tcp://127.0.0.1:$BACK" & PIDS+=($!)
sleep 0.3
"$OUT/bench" worker raw "tcp://127.0.0.1:$BACK" & PIDS+=($!)
sleep 0.3
"$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench 200 1 >/dev/null  # warm-up
PROXY_LAT=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench "$LAT_N" 1)
PROXY_TPUT=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench "$TPUT_N" 100)

# (b) Swift MDP broker with a spec MDP worker process holding 100 worker connections (MDP allows one request per
#     worker connection at a time; the raw worker pipelines everything on one connection)
BPORT=$(port)
CONCIERGE_BROKER_BIND="tcp://127.0.0.1:$BPORT" CONCIERGE_LOG_LEVEL=warning "$BROKER" & PIDS+=($!)
sleep 0.5
"$OUT/bench" worker mdp "tcp://127.0.0.1:$BPORT" bench 100 & PIDS+=($!)
sleep 0.5
"$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench 200 1 >/dev/null  # warm-up
MDP_LAT=$("$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench "$LAT_N" 1)
MDP_TPUT=$("$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench "$TPUT_N" 100)

PM=$(field median_us "$PROXY_LAT"); PP=$(field p99_us "$PROXY_LAT"); PR=$(field rps "$PROXY_TPUT")
MM=$(field median_us "$MDP_LAT"); MP=$(field p99_us "$MDP_LAT"); MR=$(field rps "$MDP_TPUT")
LR=$(python3 -c "print(round($MM/$PM, 3))")
TR=$(python3 -c "print(round($MR/$PR, 3))")
LOK=$(python3 -c "print('true' if $MM/$PM <= 1.5 else 'false')")
TOK=$(python3 -c "print('true' if $MR/$PR >= 0.5 else 'false')")
echo "proxy_median_us=$PM"
echo "proxy_p99_us=$PP"
echo "proxy_rps_100_inflight=$PR"
echo "swift_median_us=$MM"
echo "swift_p99_us=$MP"
echo "swift_rps_100_inflight=$MR"
echo "latency_ratio=$LR latency_target_met=$LOK"
echo "throughput_ratio=$TR throughput_target_met=$TOK"
echo "{\"proxy\":{\"median_us\":$PM,\"p99_us\":$PP,\"rps\":$PR},\"swift\":{\"median_us\":$MM,\"p99_us\":$MP,\"rps\":$MR},\"latency_ratio\":$LR,\"throughput_ratio\":$TR,\"latency_target_met\":$LOK,\"throughput_target_met\":$TOK}"
