#!/usr/bin/env bash
# End-to-end throughput on this host: one server, WORKERS worker processes, RUNS jobs in a row of a generated
# WIDTHxHEIGHT video of FRAMES frames; prints each job's fps and per-frame latencies from its result JSON.
# The first job pays one-off costs (JIT warm-up, first touch of the Aeron log buffers); later ones show the
# steady state. Usage: ops/e2e-bench.sh [WIDTH] [HEIGHT] [FRAMES] [RUNS] [WORKERS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WIDTH="${1:-1280}" HEIGHT="${2:-720}" FRAMES="${3:-120}" RUNS="${4:-3}" WORKERS="${5:-1}"
PORT=19190
WORK="$(mktemp -d "${TMPDIR:-/tmp}/framewire-bench.XXXXXX")"
AERON_DIR="/dev/shm/framewire-bench-$$"
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK" "$AERON_DIR"
}
trap stop EXIT

"$ROOT/framewire" build >/dev/null
source <(sed -n '/^java_version()/,/^}/p; /^find_java()/,/^}/p' "$ROOT/framewire")
JAVA="$(TEMURIN_25=/usr/lib/jvm/temurin-25-jdk-amd64 find_java)/bin/java"
cp_of() { echo "$ROOT/$1/target/classes:$(cat "$ROOT/$1/target/classpath.txt")"; }

"$JAVA" "@$ROOT/jvm.options" -cp "$(cp_of server)" io.framewire.server.media.SyntheticVideo \
    "$WORK/input.mp4" "$WIDTH" "$HEIGHT" "$FRAMES" 30
"$JAVA" "@$ROOT/jvm.options" "@$ROOT/server/jvm.options" -cp "$(cp_of server)" io.framewire.server.ServerMain --port "$PORT" \
    --aeron-dir "$AERON_DIR" --data-dir "$WORK/data" >"$WORK/server.out" 2>"$WORK/server.log" &
pids+=($!)
for _ in $(seq 1 300); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
for i in $(seq 1 "$WORKERS"); do
    "$JAVA" "@$ROOT/jvm.options" -cp "$(cp_of cpu-worker)" io.framewire.worker.WorkerMain --aeron-dir "$AERON_DIR" \
        >"$WORK/worker-$i.out" 2>"$WORK/worker-$i.log" &
    pids+=($!)
    for _ in $(seq 1 300); do grep -q worker_connected "$WORK/worker-$i.out" 2>/dev/null && break; sleep 0.1; done
done

echo "run  frames  fps     dispatch->result p50/p99 ms   decode->encode p50/p99 ms   filter ms"
for run in $(seq 1 "$RUNS"); do
    "$JAVA" "@$ROOT/jvm.options" -cp "$(cp_of client)" io.framewire.client.ClientMain --port "$PORT" \
        --video "$WORK/input.mp4" --out "$WORK/output.mp4" --quiet >"$WORK/result.json"
    python3 - "$run" "$WORK/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2])); l = r["latency_ms"]
print(f'{sys.argv[1]:<4} {r["frames"]:<7} {r["fps"]:<7.1f} {l["dispatch_to_result"]["p50"]:>8.2f} / {l["dispatch_to_result"]["p99"]:<8.2f}'
      f'            {l["decode_to_encode"]["p50"]:>8.1f} / {l["decode_to_encode"]["p99"]:<8.1f}       {r["worker"]["filter_ms_mean"]:.2f}')
PY
done
