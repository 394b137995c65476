#!/usr/bin/env bash
# Peak memory (max RSS) of the full safety suite (2,774 items) through the real CLI against the
# fake OpenAI-compatible server. Target: under 200 MB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
build="${1:-$root/build}"
eval "$(bash "$root/scripts/assets.sh")"
work="$(mktemp -d)"
"$build/bin/fake_openai_server" --port 0 --reply echo >"$work/port" 2>/dev/null & srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q LISTENING "$work/port" && break; sleep 0.1; done
port=$(awk '/LISTENING/{print $2}' "$work/port")
printf 'plugin: openai\nbase_url: http://127.0.0.1:%s/v1\nmodel: fake\n' "$port" >"$work/model.yaml"
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then TRUSTLLM_EXTRA_PACKAGES=time bash "$root/scripts/install-deps.sh"; fi
/usr/bin/time -f '%M' -o "$work/rss" "$build/bin/trustllm" run "$root/configs/trustllm/safety.yaml" \
  --model "$work/model.yaml" --jobs 32 --out "$work/out" --quiet
kb=$(cat "$work/rss")
n=$(wc -l <"$work/out/samples.jsonl")
python3 -c "import json; print(json.dumps({'bench':'safety_peak_memory','items':$n,'max_rss_mb':round($kb/1024,1)}))"
