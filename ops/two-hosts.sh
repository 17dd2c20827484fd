#!/usr/bin/env bash
# Two hosts on one machine: network namespaces fw-s-PID (server) and fw-w-PID (workers) joined by a veth pair,
# 10.77.0.1 <-> 10.77.0.2. The server runs in one with --worker-endpoint, the workers in the other join it over
# Aeron UDP with --server, and a client in the server's namespace processes a generated video.
#
# usage: sudo ops/two-hosts.sh [--workers N] [--size WxH] [--frames N] [--processing P] [--rate RATE] [--mtu N]
#                              [--frame-encoding raw|lz4]
#   --rate   shape both ends of the link with tc (e.g. 1gbit, 10gbit); default: unshaped
#   --frame-encoding  how frames cross the link (the workers' option); default raw
#   --mtu    MTU of the veth link (default 1500, as on an ordinary LAN; 65535 is the largest)
# Prints the client's JSON result as the last line of stdout; exit 0 when every frame was done by a worker on the
# other "host". Needs root and iproute2 (ip, tc). Runs the launcher (./framewire), or, when FRAMEWIRE_CP is set,
# java on that classpath directly (the tests do this, from inside a Maven build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers=1 size=640x360 frames=60 processing=blur rate="" mtu=1500 encoding=raw
while [ $# -gt 0 ]; do
    case "$1" in
        --workers) workers="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        --frames) frames="$2"; shift 2 ;;
        --processing) processing="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --mtu) mtu="$2"; shift 2 ;;
        --frame-encoding) encoding="$2"; shift 2 ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "two-hosts: unknown option $1" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then echo "two-hosts: needs root (ip netns)" >&2; exit 77; fi
if ! command -v ip >/dev/null 2>&1; then echo "two-hosts: needs iproute2 (ip)" >&2; exit 77; fi

ns_server="fw-s-$$" ns_worker="fw-w-$$" veth_server="fws$$" veth_worker="fww$$"
server_ip=10.77.0.1 worker_ip=10.77.0.2 udp_port=40100 tcp_port=9090
work="$(mktemp -d "${TMPDIR:-/tmp}/framewire-two-hosts.XXXXXX")"
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    # Anything else still in the namespaces (a JVM that outlived its launcher) goes too.
    ip netns pids "$ns_server" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns pids "$ns_worker" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns_server" 2>/dev/null || true
    ip netns del "$ns_worker" 2>/dev/null || true
    rm -rf "$work" /dev/shm/framewire-two-hosts-$$-*
}
trap cleanup EXIT

# run NAMESPACE COMMAND MAIN_CLASS ARGS...: a framewire JVM inside a namespace. It execs, so that a caller's
# '&' and $! are the JVM itself: deleting a namespace does not stop the processes in it, the kill does.
run() {
    local ns="$1" command="$2" main="$3"
    shift 3
    if [ -n "${FRAMEWIRE_CP:-}" ]; then
        local options=()
        [ "$command" = server ] && options=("@$ROOT/server/jvm.options")
        exec ip netns exec "$ns" "${FRAMEWIRE_JAVA:-java}" "@$ROOT/jvm.options" "${options[@]}" -cp "$FRAMEWIRE_CP" \
            "$main" "$@"
    else
        exec ip netns exec "$ns" "$ROOT/framewire" "$command" "$@"
    fi
}

wait_for_line() { # FILE PATTERN SECONDS PID
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$4" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

fail() { # MESSAGE LOG...
    echo "two-hosts: $1" >&2
    shift
    local log
    for log in "$@"; do echo "--- $log" >&2; tail -20 "$log" >&2 || true; done
    exit 1
}

[ -n "${FRAMEWIRE_CP:-}" ] || "$ROOT/framewire" build >/dev/null

echo "two-hosts: namespaces $ns_server ($server_ip) and $ns_worker ($worker_ip), veth mtu $mtu${rate:+, $rate}" >&2
ip netns add "$ns_server"
ip netns add "$ns_worker"
ip link add "$veth_server" type veth peer name "$veth_worker"
ip link set "$veth_server" netns "$ns_server"
ip link set "$veth_worker" netns "$ns_worker"
ip -n "$ns_server" addr add "$server_ip/24" dev "$veth_server"
ip -n "$ns_worker" addr add "$worker_ip/24" dev "$veth_worker"
for end in "$ns_server $veth_server" "$ns_worker $veth_worker"; do
    set -- $end
    ip -n "$1" link set lo up
    ip -n "$1" link set "$2" mtu "$mtu" up
    if [ -n "$rate" ]; then
        # A token bucket at the link rate; the queue holds ~10 ms of traffic.
        ip netns exec "$1" tc qdisc add dev "$2" root tbf rate "$rate" burst 1mb latency 10ms
    fi
done

echo "two-hosts: making a ${size} ${frames}-frame video" >&2
width="${size%x*}" height="${size#*x}"
if [ -n "${FRAMEWIRE_CP:-}" ]; then
    "${FRAMEWIRE_JAVA:-java}" "@$ROOT/jvm.options" -cp "$FRAMEWIRE_CP" io.framewire.samples.SyntheticVideo \
        "$work/input.mp4" "$width" "$height" "$frames" 30
else
    "$ROOT/framewire" sample "$work/input.mp4" "$width" "$height" "$frames" 30
fi

echo "two-hosts: server in $ns_server, workers take it from $server_ip:$udp_port" >&2
run "$ns_server" server io.framewire.server.ServerMain --port "$tcp_port" --preview-port -1 \
    --bind "$server_ip" --worker-endpoint "$server_ip:$udp_port" --no-auth --aeron-dir "/dev/shm/framewire-two-hosts-$$-server" \
    --data-dir "$work/data" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
pids+=("$server_pid")
wait_for_line "$work/server.out" '"event":"listening"' 60 "$server_pid" || fail "the server did not start" "$work/server.log"

for ((i = 0; i < workers; i++)); do
    run "$ns_worker" worker io.framewire.worker.WorkerMain --server "$server_ip:$udp_port" --frame-encoding "$encoding" \
        --aeron-dir "/dev/shm/framewire-two-hosts-$$-worker-$i" >"$work/worker-$i.out" 2>"$work/worker-$i.log" &
    pids+=("$!")
done
for ((i = 0; i < workers; i++)); do
    wait_for_line "$work/worker-$i.out" '"event":"worker_connected"' 60 "${pids[$((i + 1))]}" ||
        fail "worker $i did not join the server over UDP" "$work/worker-$i.log" "$work/server.log"
done
echo "two-hosts: $workers worker(s) joined over UDP; processing ($processing)" >&2

started=$(date +%s.%N)
(run "$ns_server" client io.framewire.client.ClientMain --host "$server_ip" --port "$tcp_port" \
    --video "$work/input.mp4" --processing "$processing" --out "$work/output.mp4" --quiet >"$work/result.json" \
    2>"$work/client.log") || fail "the job failed" "$work/client.log" "$work/server.log"
ended=$(date +%s.%N)

result="$(tail -1 "$work/result.json")"
# Every frame must have been done by the workers across the link, none by the server's standby worker.
remote_pids="$(grep -ho '"pid":[0-9]*' "$work"/worker-*.out | cut -d: -f2 | sort -u | tr '\n' ' ')"
python3 - "$result" "$frames" "$remote_pids" <<'CHECK' || fail "frames were not all done across the link" "$work/server.log"
import json, sys
result, frames, remote = json.loads(sys.argv[1]), int(sys.argv[2]), set(map(int, sys.argv[3].split()))
done = {w["pid"]: w["frames"] for w in result["workers"]}
across = sum(n for pid, n in done.items() if pid in remote)
print(f"two-hosts: {result['frames']} frames, {across} done across the link by {len(remote)} worker(s), "
      f"{result['fps']:.1f} fps, dispatch->result p50 {result['latency_ms']['dispatch_to_result']['p50']} ms "
      f"p99 {result['latency_ms']['dispatch_to_result']['p99']} ms", file=sys.stderr)
sys.exit(0 if result["frames"] == frames and across == frames else 1)
CHECK
echo "two-hosts: job took $(python3 -c "print(round($ended - $started, 2))") s" >&2
echo "$result"
