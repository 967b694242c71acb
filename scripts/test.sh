#!/usr/bin/env bash
# Run every Concierge test from a clean clone (what `make test` and CI run).
#
#   1. scripts/install-deps.sh test
#   2. a throwaway PostgreSQL cluster (PG_FAST=1, 600 connections) in a temp dir on a free port,
#      stopped and deleted on any exit
#   3. exports CONCIERGE_TEST_DATABASE_URL and CONCIERGE_BIN_DIR
#   4. swift build --build-tests, then swift test (all Swift test targets, at most
#      TEST_PARALLELISM (8) tests at a time)
#   5. python3 -m pytest -q over Tests/Interop Tests/Compose Tests/Contract
#      (the ones that exist and hold tests)
#   6. a summary of the stages; exit status non-zero if any stage failed
#
# Extra arguments are passed to `swift test` (e.g. --filter MajordomoTests).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

say() { printf '\n==> %s\n' "$*"; }

stage_names=()
stage_results=()
record() { # record NAME STATUS(0=pass)
    stage_names+=("$1")
    if [[ "$2" -eq 0 ]]; then stage_results+=(passed); else stage_results+=("failed (exit $2)"); fi
}

summary() {
    local i passed=0 failed=0
    printf '\n==> summary\n'
    for i in "${!stage_names[@]}"; do
        printf '  %-16s %s\n' "${stage_names[$i]}" "${stage_results[$i]}"
        if [[ "${stage_results[$i]}" == passed ]]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
    # Plain closing line: counts are test *stages*, the runners above print test counts.
    printf 'stages: %d passed, %d failed\n' "$passed" "$failed"
    [[ "$failed" -eq 0 ]]
}

# --- 1. dependencies ---------------------------------------------------------
say "installing test dependencies"
rc=0
scripts/install-deps.sh test || rc=$?
record deps "$rc"
if [[ "$rc" -ne 0 ]]; then
    summary || exit 1
fi

# --- 2. throwaway PostgreSQL -------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_DIR="$(mktemp -d /tmp/concierge-test-pg.XXXXXX)"
PG_PORT="$(free_port)"
cleanup() {
    local status=$?
    if [[ -d "$PG_DIR" ]]; then
        scripts/pg.sh stop "$PG_DIR" "$PG_PORT" >/dev/null 2>&1 || true
        rm -rf "$PG_DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting throwaway PostgreSQL in $PG_DIR on 127.0.0.1:$PG_PORT"
rc=0
# Every test suite that runs in process or starts the executables opens its own pools (about 25 connections), so
# the throwaway cluster allows more clients than the default (see TEST_PARALLELISM below).
PG_FAST=1 PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-600}" scripts/pg.sh start "$PG_DIR" "$PG_PORT" || rc=$?
record postgres "$rc"
if [[ "$rc" -ne 0 ]]; then
    tail -n 40 "$PG_DIR/postgres.log" 2>/dev/null || true
    summary || exit 1
fi

# --- 3. environment for the tests --------------------------------------------
export CONCIERGE_TEST_DATABASE_URL="postgres://concierge@127.0.0.1:$PG_PORT/concierge"
export CONCIERGE_BIN_DIR="$ROOT/.build/debug"
echo "CONCIERGE_TEST_DATABASE_URL=$CONCIERGE_TEST_DATABASE_URL"
echo "CONCIERGE_BIN_DIR=$CONCIERGE_BIN_DIR"

# --- 4. Swift ------------------------------------------------------------------
say "swift build --build-tests"
rc=0
swift build --build-tests || rc=$?
record swift-build "$rc"
if [[ "$rc" -eq 0 ]]; then
    say "swift test $*"
    rc=0
    # Swift Testing runs every test at once by default; each database test opens pools of its own, and hundreds of
    # them together exhaust PostgreSQL's connections ("too many clients") on top of thrashing two cores. At most
    # TEST_PARALLELISM tests run at a time (8 fits 600 connections with room to spare).
    export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${TEST_PARALLELISM:-8}"
    # A hard limit, so that a hung test fails this stage instead of running into CI's own time limit.
    timeout -s KILL "${SWIFT_TEST_TIMEOUT:-1800}" swift test "$@" || rc=$?
    record swift-test "$rc"
else
    echo "swift build failed: skipping swift test"
    stage_names+=(swift-test)
    stage_results+=("failed (not run: build failed)")
fi

# --- 5. Python (pyzmq interop, compose, API contract) --------------------------
py_dirs=()
for d in Tests/Interop Tests/Compose Tests/Contract; do
    if [[ -d "$d" && -n "$(find "$d" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit)" ]]; then
        py_dirs+=("$d")
    fi
done
if ((${#py_dirs[@]} > 0)); then
    say "python3 -m pytest -q ${py_dirs[*]}"
    rc=0
    python3 -m pytest -q -p no:cacheprovider "${py_dirs[@]}" || rc=$?
    record pytest "$rc"
else
    echo "no Python test directories with tests: skipping pytest"
fi

# --- 6. summary ----------------------------------------------------------------
summary
