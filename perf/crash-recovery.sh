#!/usr/bin/env bash
# A server killed (SIGKILL) mid-job and started again on its data directory, against the same job uninterrupted:
# where the job went on from, the time the next server spent on it, and how its output compares (packets' timing,
# video PSNR, audio SNR per 1024 samples). Usage: perf/crash-recovery.sh [KILL_AT_OUTPUT_BYTES]. Needs ffmpeg,
# ffprobe and python3; ports 19292 and 19293 must be free, and no other
# server run on this host.
set -euo pipefail
cd "$(dirname "$0")/.."
AT=${1:-3000000}
D=$(mktemp -d)
trap 'pkill -f "data-dir $D" || true; rm -rf "$D"' EXIT
ffmpeg -v error -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -t 60 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$D/in.mp4"
started() { for _ in $(seq 150); do grep -q "listening on" "$1" && return; sleep 0.2; done; return 1; }

./framewire server --port 19293 --data-dir "$D/ref" > "$D/ref.log" 2>&1 &
started "$D/ref.log"
./framewire client --port 19293 --video "$D/in.mp4" --out "$D/straight.mp4" --quiet > "$D/straight.json"
pkill -f "data-dir $D/ref" # one embedded media driver at a time
sleep 3

./framewire server --port 19292 --data-dir "$D/data" > "$D/first.log" 2>&1 &
started "$D/first.log"
./framewire client --port 19292 --video "$D/in.mp4" --out "$D/out.mp4" --quiet > "$D/result.json" 2>&1 &
CLIENT=$!
while [ "$(stat -c %s "$D/.out.mp4.part" 2>/dev/null || echo 0)" -lt "$AT" ]; do sleep 0.02; done
pkill -9 -f "data-dir $D/data"
START=$(date +%s.%N)
./framewire server --port 19292 --data-dir "$D/data" > "$D/second.log" 2>&1 &
wait $CLIENT
END=$(date +%s.%N)
grep -h "goes on from frame\|decoded the" "$D/second.log" | sed 's/.* - //'
echo "next server's start to the client's exit: $(awk "BEGIN {printf \"%.1f\", $END - $START}") s; uninterrupted job:" \
    "$(grep -o '"elapsed_s":[0-9.]*' "$D/straight.json" | cut -d: -f2) s"
grep -o '"continued_from_frame":[0-9]*\|"frames_processed":[0-9]*\|"status":"[a-z]*"' "$D/result.json" | head -3
for s in v a; do
    cmp -s <(ffprobe -v error -select_streams $s -show_entries packet=pts,dts,duration,flags -of csv "$D/straight.mp4") \
        <(ffprobe -v error -select_streams $s -show_entries packet=pts,dts,duration,flags -of csv "$D/out.mp4") \
        && echo "$s packets: the same timestamps, durations and flags" || echo "$s packets DIFFER"
done
ffmpeg -v error -i "$D/straight.mp4" -i "$D/out.mp4" -lavfi "[0:v][1:v]psnr=stats_file=$D/psnr.txt" -f null -
awk '{split($6,a,":"); if (a[2]!="inf") {n++; if (min=="" || a[2]<min) min=a[2]}} END {print "video: " n+0 \
    " frames differ, the lowest PSNR " (n ? min " dB" : "-")}' "$D/psnr.txt"
for f in straight out; do ffmpeg -v error -i "$D/$f.mp4" -map 0:a -ac 1 -f s16le "$D/$f.pcm"; done
python3 - "$D/straight.pcm" "$D/out.pcm" <<'EOF'
import math, struct, sys
a, b = (struct.unpack('<%dh' % (len(d) // 2), d) for d in (open(p, 'rb').read() for p in sys.argv[1:3]))
first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), None)
if len(a) != len(b) or first is None:
    print('audio: %d and %d samples, %s' % (len(a), len(b), 'the same' if first is None else 'differ'))
    sys.exit()
db = []
for s in range(first - first % 1024, len(a) - 1023, 1024):
    sig = sum(x * x for x in a[s:s + 1024]); err = sum((x - y) ** 2 for x, y in zip(a[s:s + 1024], b[s:s + 1024]))
    db.append(10 * math.log10(sig / err) if err and sig else 200)
print('audio: the same samples up to %.3f s; after it, per 1024 samples, the lowest SNR %.1f dB' %
      (first / 48000, min(db)))
EOF
