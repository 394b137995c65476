#!/usr/bin/env bash
# Builds llama2c_bench in a RelWithDebInfo tree and runs it on one thread.
# Usage: bench/llama2c/run.sh [runs] [tokens_per_run]   (env: BUILD_DIR, TRUSTLLM_MODEL_DIR)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$repo/build-bench}"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target llama2c_bench -j2 >/dev/null
model_dir="${TRUSTLLM_MODEL_DIR:-$repo/../shared/models}/tinyllamas-stories260K"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
exec "${pin[@]}" "$build/bin/llama2c_bench" "$model_dir" "${1:-20}" "${2:-256}"
