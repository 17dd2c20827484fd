#!/usr/bin/env bash
# Proves a GPU host in one command: reports the CUDA device (or why there is none), runs every filter through
# OpenCV's CUDA modules and through the CPU filters on the same frames (the sample photo from opencv-doc, panning),
# compares each CUDA output with its CPU twin against the tolerances of docs/gpu.md and prints ms per frame for
# both. Exit 0: all within tolerance; 1: some are not; 3: CUDA is not usable here (only the CPU column is printed).
# Usage: ops/gpu-check.sh [WIDTH] [HEIGHT] [FRAMES]     (default 1280 720 30)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/framewire" build >/dev/null
source <(sed -n '/^java_version()/,/^}/p; /^find_java()/,/^}/p' "$ROOT/framewire")
JAVA="$(TEMURIN_25=/usr/lib/jvm/temurin-25-jdk-amd64 find_java)/bin/java"
exec "$JAVA" "@$ROOT/jvm.options" -cp "$ROOT/gpu-worker/target/classes:$(cat "$ROOT/gpu-worker/target/classpath.txt")" \
    io.framewire.gpu.GpuCheck "${1:-1280}" "${2:-720}" "${3:-30}"
