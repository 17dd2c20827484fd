#!/usr/bin/env bash
# Per-thread CPU of a server (with its embedded worker) and one worker process, from /proc: idle for SECONDS, then
# during a 300-frame 720p blur job. Usage: perf/idle-cpu.sh [SECONDS]. Ports 19191 and 18181 must be free.
cd "$(dirname "$0")/.."
D=$(mktemp -d)
./framewire server --port 19191 --preview-port 18181 --data-dir $D/data --aeron-dir /dev/shm/fw-idle > $D/server.log 2>&1 &
SP=$!
sleep 8
./framewire worker --aeron-dir /dev/shm/fw-idle > $D/worker.log 2>&1 &
WP=$!
sleep 8
# lines: ROLE TID NAME TICKS
ticks() { for p in $SP $WP; do r=$([ $p = $SP ] && echo server || echo worker); for t in /proc/$p/task/*; do c=$(tr ' ' '_' < $t/comm 2>/dev/null) || continue; s=$(sed 's/.*) //' $t/stat 2>/dev/null) || continue; set -- $s; echo "$r $(basename $t) $c $(( ${12} + ${13} ))"; done; done; }
report() { # $1 baseline file, $2 file with last samples, $3 divisor, $4 unit label
  awk -v div=$3 'NR==FNR {b[$1" "$2]=$4; next} {k=$1" "$2; last[k]=$4; name[k]=$1" "$3} END {for (k in last) {d=(last[k]-(k in b ? b[k] : 0))*10/div; n=name[k]; sub(/-[0-9]+$/, "-N", n); a[n]+=d} for (n in a) if (a[n]>0.04) printf "  %-44s %7.2f\n", n, a[n]}' $1 $2 | sort
}
S=${1:-10}
ticks > $D/t0; sleep $S; ticks > $D/t1
echo "== idle, server with its embedded worker + one worker process: CPU ms per second of wall time"
report $D/t0 $D/t1 $S
./framewire sample $D/in.mkv 1280 720 300 30 > /dev/null 2>&1
ticks > $D/t0
./framewire client --port 19191 --video $D/in.mkv --out $D/out.mp4 --quiet > $D/result.json &
CP=$!
: > $D/t1
while kill -0 $CP 2>/dev/null; do ticks >> $D/t1; sleep 0.2; done
ticks >> $D/t1
echo "== a 300-frame 720p blur job: CPU ms per frame, by thread"
report $D/t0 $D/t1 300
grep -o '"fps":[0-9.]*' $D/result.json | head -1
kill $WP $SP; sleep 2; rm -rf $D /dev/shm/fw-idle*
