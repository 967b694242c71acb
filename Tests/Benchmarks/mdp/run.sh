#!/usr/bin/env bash
# MDP benchmark: the Swift Majordomo broker against a C ROUTER/DEALER zmq_proxy baseline, same C client and worker.
#
# usage: Tests/Benchmarks/mdp/run.sh [path/to/release/broker]    (default .build/release/broker)
# Prints key=value lines (and one JSON line) with round-trip latency (median, p99 µs, one request at a time) and
# throughput (req/s with 100 in flight) through each broker, and the ratios:
#   latency_ratio    = swift median / proxy median        (target <= 1.5)
#   throughput_ratio = swift rps / proxy rps              (target >= 0.5)
# The two target lines carry the word PASS or FAIL (scripts/bench.sh collects those lines).
#
# Fairness: both brokers face the same worker process shape — the same bench.c loop with WORKER_CONNS (100) DEALER
# connections. MDP/0.1 allows one request per worker connection at a time, so the MDP worker needs them; the raw
# worker behind the proxy gets the same number (the proxy's DEALER round-robins over them), so that what differs is
# the broker and not the number of TCP connections the worker process and the broker's I/O thread must serve.
# For reference only (no target), `info_*` lines also give the proxy with a single pipelining raw worker connection.
#
# Every measurement is taken RUNS times (default 3), interleaving proxy and Swift runs; the median run is reported
# (the cores are shared, single runs are noisy). Loopback only; every loop is bounded; all processes stop on exit.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BROKER="${1:-$ROOT/.build/release/broker}"
LAT_N="${LAT_N:-5000}"
TPUT_N="${TPUT_N:-50000}"
RUNS="${RUNS:-3}"
WORKER_CONNS="${WORKER_CONNS:-100}"
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
# median of the numbers given as arguments
median() { python3 -c 'import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# (a) C proxy with the same worker shape as the MDP run (WORKER_CONNS connections)
FRONT=$(port); BACK=$(port)
"$OUT/proxy" "tcp://127.0.0.1:$FRONT" "tcp://127.0.0.1:$BACK" & PIDS+=($!)
# (c) reference only: C proxy with one pipelining raw worker connection
FRONT1=$(port); BACK1=$(port)
"$OUT/proxy" "tcp://127.0.0.1:$FRONT1" "tcp://127.0.0.1:$BACK1" & PIDS+=($!)
# (b) Swift MDP broker with a spec MDP worker process holding WORKER_CONNS worker connections
BPORT=$(port)
CONCIERGE_BROKER_BIND="tcp://127.0.0.1:$BPORT" CONCIERGE_METRICS_PORT=0 CONCIERGE_LOG_LEVEL=warning "$BROKER" &
PIDS+=($!)
sleep 0.5
"$OUT/bench" worker raw "tcp://127.0.0.1:$BACK" bench "$WORKER_CONNS" & PIDS+=($!)
"$OUT/bench" worker raw "tcp://127.0.0.1:$BACK1" bench 1 & PIDS+=($!)
"$OUT/bench" worker mdp "tcp://127.0.0.1:$BPORT" bench "$WORKER_CONNS" & PIDS+=($!)
sleep 0.5
"$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench 200 1 >/dev/null  # warm-up
"$OUT/bench" client raw "tcp://127.0.0.1:$FRONT1" bench 200 1 >/dev/null
"$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench 200 1 >/dev/null

PM=(); PP=(); PR=(); MM=(); MP=(); MR=(); P1M=(); P1R=()
for ((run = 0; run < RUNS; run++)); do
    out=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench "$LAT_N" 1)
    PM+=("$(field median_us "$out")"); PP+=("$(field p99_us "$out")")
    out=$("$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench "$LAT_N" 1)
    MM+=("$(field median_us "$out")"); MP+=("$(field p99_us "$out")")
    out=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT" bench "$TPUT_N" 100)
    PR+=("$(field rps "$out")")
    out=$("$OUT/bench" client mdp "tcp://127.0.0.1:$BPORT" bench "$TPUT_N" 100)
    MR+=("$(field rps "$out")")
    out=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT1" bench "$LAT_N" 1)
    P1M+=("$(field median_us "$out")")
    out=$("$OUT/bench" client raw "tcp://127.0.0.1:$FRONT1" bench "$TPUT_N" 100)
    P1R+=("$(field rps "$out")")
done

PM=$(median "${PM[@]}"); PP=$(median "${PP[@]}"); PR=$(median "${PR[@]}")
MM=$(median "${MM[@]}"); MP=$(median "${MP[@]}"); MR=$(median "${MR[@]}"); P1M=$(median "${P1M[@]}"); P1R=$(median "${P1R[@]}")
LR=$(python3 -c "print(round($MM/$PM, 3))")
TR=$(python3 -c "print(round($MR/$PR, 3))")
T1R=$(python3 -c "print(round($MR/$P1R, 3))")
L1R=$(python3 -c "print(round($MM/$P1M, 3))")
LOK=$(python3 -c "print('true' if $MM/$PM <= 1.5 else 'false')")
TOK=$(python3 -c "print('true' if $MR/$PR >= 0.5 else 'false')")
word() { [ "$1" = true ] && echo PASS || echo FAIL; }
echo "runs=$RUNS worker_conns=$WORKER_CONNS"
echo "proxy_median_us=$PM"
echo "proxy_p99_us=$PP"
echo "proxy_rps_100_inflight=$PR"
echo "swift_median_us=$MM"
echo "swift_p99_us=$MP"
echo "swift_rps_100_inflight=$MR"
echo "info_proxy_median_us_single_worker_conn=$P1M"
echo "info_proxy_rps_100_inflight_single_pipelined_worker_conn=$P1R"
echo "info_latency_ratio_vs_single_conn_proxy=$L1R"
echo "info_throughput_ratio_vs_single_conn_proxy=$T1R"
echo "latency_ratio=$LR latency_target=<=1.5 latency_target_met=$LOK result=$(word "$LOK")"
echo "throughput_ratio=$TR throughput_target=>=0.5 throughput_target_met=$TOK result=$(word "$TOK")"
echo "{\"runs\":$RUNS,\"worker_conns\":$WORKER_CONNS,\"proxy\":{\"median_us\":$PM,\"p99_us\":$PP,\"rps\":$PR},\"swift\":{\"median_us\":$MM,\"p99_us\":$MP,\"rps\":$MR},\"proxy_single_conn\":{\"median_us\":$P1M,\"rps\":$P1R},\"latency_ratio\":$LR,\"throughput_ratio\":$TR,\"latency_target_met\":$LOK,\"throughput_target_met\":$TOK}"
