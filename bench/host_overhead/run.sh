#!/usr/bin/env bash
# Host overhead benchmark: requests per second of `trustllm run --jobs 64` against a
# zero-latency loopback server (nginx returning a fixed completion), cache and result writes
# included, next to wrk (the ceiling) and a Python asyncio + aiohttp + SQLite client, measured
# in the same run. Needs: nginx wrk python3-aiohttp (installed when missing, as root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
build="${1:-$root/build}"
N="${BENCH_N:-50000}"
if [ "$(id -u)" = 0 ]; then TRUSTLLM_EXTRA_PACKAGES="nginx wrk python3-aiohttp" bash "$root/scripts/install-deps.sh"; fi
work="$(mktemp -d)"; port=18$((RANDOM % 900 + 100))
sed "s#__WORK__#$work#g; s#__PORT__#$port#g" "$here/nginx.conf" >"$work/nginx.conf"
nginx -c "$work/nginx.conf" & ngx=$!
trap 'kill $ngx 2>/dev/null; rm -rf "$work"' EXIT
sleep 0.5
url="http://127.0.0.1:$port/v1/chat/completions"

wrk_rps=$(wrk -t2 -c64 -d10s -s "$here/post.lua" "$url" | awk '/Requests\/sec/{print $2}')
py=$(/usr/bin/python3 "$here/py_client.py" "$url" 20000 64 "$work/py.sqlite")
py_rps=$(echo "$py" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["rps"]))')

cat >"$work/model.yaml" <<EOM
plugin: openai
base_url: http://127.0.0.1:$port/v1
model: bench
max_concurrency: 64
EOM
start=$(date +%s.%N)
BENCH_N=$N "$build/bin/trustllm" run "$here/suite.yaml" --model "$work/model.yaml" --jobs 64 \
  --out "$work/out" --quiet
end=$(date +%s.%N)
ours=$(python3 -c "print(round($N / ($end - $start)))")
rows=$(sqlite3 "$work/out/run.sqlite" "select count(*) from samples")
[ "$rows" = "$N" ] || { echo "expected $N stored samples, got $rows" >&2; exit 1; }
python3 - <<PY
import json
ours, wrk, py = $ours, float("$wrk_rps"), $py_rps
print(json.dumps({"bench": "host_overhead", "requests": $N, "jobs": 64, "trustllm_rps": ours,
                  "wrk_rps": round(wrk), "python_aiohttp_sqlite_rps": py,
                  "ratio_to_wrk": round(ours / wrk, 3), "ratio_to_python": round(ours / py, 2)}))
PY
