#!/usr/bin/env bash
# Runs a server and N workers on this host until Ctrl-C. Usage: ops/local-cluster.sh [WORKERS] [PORT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKERS="${1:-2}"
PORT="${2:-9090}"
AERON_DIR="/dev/shm/framewire-cluster-$PORT"
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/framewire-cluster.XXXXXX")"
pids=()

stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "cluster stopped; logs in $LOGS" >&2
}
trap stop EXIT INT TERM

"$ROOT/framewire" build >/dev/null
"$ROOT/framewire" server --port "$PORT" --aeron-dir "$AERON_DIR" >"$LOGS/server.out" 2>"$LOGS/server.log" &
pids+=($!)
for _ in $(seq 1 300); do grep -q '"event":"listening"' "$LOGS/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q '"event":"listening"' "$LOGS/server.out" || { cat "$LOGS/server.log" >&2; exit 1; }

for i in $(seq 1 "$WORKERS"); do
    "$ROOT/framewire" worker --aeron-dir "$AERON_DIR" >"$LOGS/worker-$i.out" 2>"$LOGS/worker-$i.log" &
    pids+=($!)
done
echo "server on port $PORT with $WORKERS workers; logs in $LOGS; Ctrl-C stops" >&2
wait
