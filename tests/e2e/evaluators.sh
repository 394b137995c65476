#!/usr/bin/env bash
# The refusal evaluator is swappable in YAML with no rebuild: the judge role and the refusal
# classifier role, both served by the fake OpenAI-compatible server, through the real CLI.
# Also: a non-retryable 401 stops the run with one clear line.
. "$(dirname "$0")/lib.sh"
need_data; need_model
# Judge: says REFUSED when the judged response mentions "Once", else COMPLIED.
cat >"$WORK/rules.json" <<'J'
[{"contains": "Once", "reply": "REFUSED"}, {"contains": "", "reply": "COMPLIED"}]
J
start_fake_server --reply "rules:$WORK/rules.json"
fake_model_file "$WORK/judge.yaml"
cat >"$WORK/classifier.yaml" <<Y
plugin: http_classifier
base_url: http://127.0.0.1:$PORT
model: fake-refusal-classifier
Y
common=("$SRC/configs/trustllm/safety.yaml" --limit 8 --jobs 2 --quiet)

"$TRUSTLLM" run "${common[@]}" --out "$WORK/judge" --judge "$WORK/judge.yaml" \
  --set tasks.0.metrics.0.evaluator=judge --set tasks.1.metrics.0.evaluator=judge \
  --set tasks.2.metrics.0.evaluator=judge --set tasks.3.metrics.0.evaluator=judge || fail "judge run"
python3 - "$WORK/judge" <<'PY' || fail "judge records"
import json, sys, os
d = sys.argv[1]
recs = [json.loads(l) for l in open(os.path.join(d, "samples.jsonl"))]
assert len(recs) == 32
tox = [r for r in recs if r["task"] == "toxicity"]
recs = [r for r in recs if r["task"] != "toxicity"]
assert len(recs) == 24 and len(tox) == 8
for r in recs:
    ev = list(r["evaluations"].values())[0]
    assert ev["evaluator"] == "judge", ev
    assert ev["judge_reply"] in ("REFUSED", "COMPLIED"), ev
    assert ev["refused"] == ("Once" in r["response"]), (ev, r["response"][:80])
s = json.load(open(os.path.join(d, "summary.json")))
# every metric is scored; only the attack labels that the 8 sampled items miss are skipped
assert all(m["status"] == "ok" for m in s["metrics"]
           if m["task"] != "toxicity" and not m["metric"].startswith("rta:")), s
assert all(m["status"] == "ok" or m["reason"] == "no responses to score"
           for m in s["metrics"] if m["metric"].startswith("rta:")), s
# toxicity: answered responses need the toxicity_scorer role, which is not bound here
assert all(m["status"] == "skipped" and m["reason"] for m in s["metrics"] if m["task"] == "toxicity"), s
PY
pass "judge evaluator"

# The judge replies are cached: scoring the run again makes no judge calls.
curl -fsS -X POST -d '{}' "http://127.0.0.1:$PORT/reset" >/dev/null
"$TRUSTLLM" score "$WORK/judge" --judge "$WORK/judge.yaml" --quiet || fail "re-score"
calls=$(curl -fsS "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
[ "$calls" = 0 ] || fail "re-scoring made $calls judge calls"
python3 - "$WORK/judge/samples.jsonl" <<'PY' || fail "re-score did not use the judge"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs = [r for r in recs if r["task"] != "toxicity"]
assert len(recs) == 24 and all(list(r["evaluations"].values())[0]["evaluator"] == "judge" for r in recs)
PY
pass "re-score reuses judge replies"

"$TRUSTLLM" run "${common[@]}" --out "$WORK/cls" \
  --role "refusal_classifier=$WORK/classifier.yaml" \
  --set tasks.0.metrics.0.evaluator=classifier --set tasks.1.metrics.0.evaluator=classifier \
  --set tasks.2.metrics.0.evaluator=classifier || fail "classifier run"
python3 - "$WORK/cls" <<'PY' || fail "classifier records"
import json, sys, os
recs = [json.loads(l) for l in open(os.path.join(sys.argv[1], "samples.jsonl"))]
for r in recs:
    if r["task"] == "toxicity": continue
    ev = list(r["evaluations"].values())[0]
    assert ev["evaluator"] == "classifier" and ev["label"] in ("LABEL_0", "LABEL_1"), ev
    assert ev["refused"] == (ev["label"] == "LABEL_0"), ev
PY
pass "classifier evaluator"

# No judge bound: the metric fails per item with a reason instead of crashing the run.
"$TRUSTLLM" run "${common[@]}" --out "$WORK/nojudge" --set tasks.0.metrics.0.evaluator=judge \
  >/dev/null 2>"$WORK/nojudge.err" || true
python3 - "$WORK/nojudge/summary.json" <<'PY' || fail "no judge: $(cat "$WORK/nojudge.err")"
import json, sys
s = json.load(open(sys.argv[1]))
jb = [m for m in s["metrics"] if m["task"] == "jailbreak" and m["metric"] == "rta"][0]
assert jb["status"] == "skipped" and "judge" in jb.get("reason", ""), jb
PY
pass "no judge: skipped with a reason"

# A 401 is not retried: one line naming the status, exit 1.
curl -fsS -X POST -d '{"script":["401","401","401","401","401","401","401","401"]}' "http://127.0.0.1:$PORT/reset" >/dev/null
fake_model_file "$WORK/model401.yaml"
expect_error "401" 1 -- "$TRUSTLLM" run "${common[@]}" --out "$WORK/e401" --model "$WORK/model401.yaml"
pass "401 stops the run"
