#!/usr/bin/env bash
# A run killed with SIGKILL mid-way and resumed gives the same summary.json as an
# uninterrupted run; no sample is lost or repeated.
. "$(dirname "$0")/lib.sh"
need_data
start_fake_server --seed 3 --latency-ms 4 --reply echo --threads 8
fake_model_file "$WORK/fake.yaml" "max_concurrency: 4"
args=("$SRC/configs/trustllm/safety.yaml" --model "$WORK/fake.yaml" --limit 150 --jobs 4 --quiet)

"$TRUSTLLM" run "${args[@]}" --out "$WORK/full" || fail "uninterrupted run failed"
curl -fsS -X POST -d '{}' "http://127.0.0.1:$PORT/reset" >/dev/null

"$TRUSTLLM" run "${args[@]}" --out "$WORK/killed" &
pid=$!
# Kill once some, but not all, samples are committed.
for _ in $(seq 1 200); do
  sleep 0.05
  c=$(sqlite3 "$WORK/killed/run.sqlite" "select count(*) from samples" 2>/dev/null || echo 0)
  [ "${c:-0}" -ge 60 ] && break
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
before=$(sqlite3 "$WORK/killed/run.sqlite" "select count(*) from samples")
[ "$before" -gt 0 ] && [ "$before" -lt 600 ] || fail "kill did not land mid-run ($before samples)"
first_calls=$(curl -fsS "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])')

"$TRUSTLLM" run "${args[@]}" --out "$WORK/killed" --resume || fail "resume failed"
total_calls=$(curl -fsS "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])')
python3 - "$WORK/full/summary.json" "$WORK/killed/summary.json" <<'PY' || fail "summaries differ"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["metrics"] == b["metrics"], "summaries differ"
PY
n=$(wc -l <"$WORK/killed/samples.jsonl")
[ "$n" = 600 ] || fail "expected 600 samples (4 tasks x 150) after resume, got $n"
dups=$(python3 -c 'import json,sys,collections; c=collections.Counter((json.loads(l)["task"],json.loads(l)["id"]) for l in open(sys.argv[1])); print(max(c.values()))' "$WORK/killed/samples.jsonl")
[ "$dups" = 1 ] || fail "a sample is repeated"
# The resumed run asks only for what was not committed (answers in flight at the kill may be
# asked again, at most --jobs of them plus one commit batch). The 150 toxicity samples send
# jailbreak's requests again and are cache hits, so 450 distinct requests in all.
redo=$((total_calls - before))
[ "$redo" -le $((450 - before + 4 + 256)) ] || fail "resume repeated finished samples: $total_calls calls, $before were done"
pass "SIGKILL at $before/600 samples, resumed: identical summary, $total_calls model calls"

# Ctrl-C (SIGINT) stops cleanly with exit 130 and the same guarantee.
"$TRUSTLLM" run "${args[@]}" --out "$WORK/int" --cache "$WORK/none.sqlite" &
pid=$!
for _ in $(seq 1 200); do
  sleep 0.05
  c=$(sqlite3 "$WORK/int/run.sqlite" "select count(*) from samples" 2>/dev/null || echo 0)
  [ "${c:-0}" -ge 30 ] && break
done
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" = 130 ] || fail "Ctrl-C exit code $rc, expected 130"
"$TRUSTLLM" run "${args[@]}" --out "$WORK/int" --cache "$WORK/none.sqlite" --resume || fail "resume after Ctrl-C"
python3 - "$WORK/full/summary.json" "$WORK/int/summary.json" <<'PY' || fail "summaries differ after Ctrl-C"
import json, sys
assert json.load(open(sys.argv[1]))["metrics"] == json.load(open(sys.argv[2]))["metrics"]
PY
pass "Ctrl-C then --resume: identical summary"
