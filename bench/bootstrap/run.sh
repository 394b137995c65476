#!/usr/bin/env bash
# What the confidence intervals cost: scoring the whole imported parity tree (16,441 items, every
# metric of the six dimensions) with `--bootstrap 0` and with the default 1,000 resamples,
# alternating, 5 runs each; the added wall time is the difference of the medians.
# Target (issue #4): the bootstrap of the full suite adds under 2 seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
build="${1:-$root/build}"
eval "$(bash "$root/scripts/assets.sh")"
parity="${TRUSTLLM_PARITY_DIR:-$root/../shared/parity}"
[ -f "$parity/expected.json" ] || { echo "no parity tree at $parity: set TRUSTLLM_PARITY_DIR" >&2; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
run() {  # $1 = resamples; prints wall seconds
  rm -rf "$work/out"
  local t0 t1
  t0=$(date +%s.%N)
  "$build/bin/trustllm" score --import-trustllm "$parity" --out "$work/out" --quiet \
    --bootstrap "$1" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)"
}
off=(); on=()
for i in 1 2 3 4 5; do
  off+=("$(run 0)")
  on+=("$(run 1000)")
done
intervals=$(python3 -c "import json; print(sum(1 for m in json.load(open('$work/out/summary.json'))['metrics'] if 'ci95' in m))")
python3 -c "
import json, statistics
off = [float(x) for x in '${off[*]}'.split()]
on = [float(x) for x in '${on[*]}'.split()]
print(json.dumps({'bench': 'bootstrap_full_suite', 'resamples': 1000, 'intervals': $intervals,
                  'median_off_s': round(statistics.median(off), 3),
                  'median_on_s': round(statistics.median(on), 3),
                  'added_s': round(statistics.median(on) - statistics.median(off), 3)}))"
