#!/usr/bin/env bash
# Runs every benchmark against a Release build; paste the JSON lines into docs/performance.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
BUILD_DIR="$build" bash "$here/llama2c/run.sh"
bash "$here/host_overhead/run.sh" "$build"
bash "$here/memory/run.sh" "$build"
bash "$here/import/run.sh" "$build"
bash "$here/bootstrap/run.sh" "$build"
