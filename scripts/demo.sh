#!/usr/bin/env bash
# `make demo`: the quickstart suite on the embedded model; prints the summary and the output.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
eval "$("$root/scripts/assets.sh")"
out="$root/runs/quickstart"
rm -rf "$out"
"$build/bin/trustllm" run "$root/configs/quickstart.yaml" --out "$out" --jobs 2
# The run itself already printed the output folder and the report.
echo "summary: $out/summary.json"
echo "samples: $out/samples.jsonl"
