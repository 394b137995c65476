#!/usr/bin/env bash
# Scoring the whole imported parity tree (all six dimensions, 16,441 items in the TrustLLM
# toolkit's result format) through the real CLI: wall time of `trustllm score --import-trustllm`,
# best and median of 5 runs, and peak memory. Target: under 5 seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
build="${1:-$root/build}"
eval "$(bash "$root/scripts/assets.sh")"
parity="${TRUSTLLM_PARITY_DIR:-$root/../shared/parity}"
[ -f "$parity/expected.json" ] || { echo "no parity tree at $parity: set TRUSTLLM_PARITY_DIR" >&2; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then TRUSTLLM_EXTRA_PACKAGES=time bash "$root/scripts/install-deps.sh"; fi
times=()
for i in 1 2 3 4 5; do
  rm -rf "$work/out"
  /usr/bin/time -f '%e %M' -o "$work/t" "$build/bin/trustllm" score --import-trustllm "$parity" \
    --out "$work/out" --quiet
  times+=("$(cat "$work/t")")
done
items=$(wc -l <"$work/out/samples.jsonl")
printf '%s\n' "${times[@]}" | python3 -c "
import json, sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
secs = sorted(float(r[0]) for r in rows)
rss = max(int(r[1]) for r in rows)
print(json.dumps({'bench': 'import_parity_tree', 'items': $items, 'best_s': secs[0],
                  'median_s': statistics.median(secs), 'max_rss_mb': round(rss / 1024, 1)}))"
