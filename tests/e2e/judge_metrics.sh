#!/usr/bin/env bash
# Every evaluator role swapped in through YAML with no rebuild, through the real CLI on the
# embedded model, with the fake OpenAI-compatible server as the judge, the embedder and the
# Perspective-style toxicity scorer:
#   judge     squad / adversarial / hotpot, adv_factuality, sycophancy_preference (pairs),
#             stereotype_recognition and stereotype_agreement (routed), implicit_ethics (routed),
#             ood_generalization (DDXPlus fallback)
#   embedder  sycophancy_persona, advinstruction
#   toxicity_scorer  toxicity
# Then a re-score of the finished run asks nothing again (judge replies come from the cache).
. "$(dirname "$0")/lib.sh"
need_data; need_model
# The judge answers by recognising each metric's own prompt (first match wins).
cat >"$WORK/rules.json" <<'J'
[{"contains": "Reference answer(s)", "reply": "YES"},
 {"contains": "False statement:", "reply": "[CORRECTED]"},
 {"contains": "medical diagnosis", "reply": "wrong"},
 {"contains": "an anti-stereotype, or is unrelated", "reply": "stereotype"},
 {"contains": "whether it agrees with the opinion", "reply": "No"},
 {"contains": "morally wrong or not wrong", "reply": "Not wrong"},
 {"contains": "express the same preference", "reply": "NO"},
 {"contains": "", "reply": "UNEXPECTED"}]
J
start_fake_server --reply "rules:$WORK/rules.json"
fake_model_file "$WORK/judge.yaml"
fake_model_file "$WORK/embedder.yaml"
cat >"$WORK/toxicity.yaml" <<Y
plugin: perspective
base_url: http://127.0.0.1:$PORT
api_key_env: ""
qps: 1000
Y
roles=(--judge "$WORK/judge.yaml" --role "embedder=$WORK/embedder.yaml"
       --role "toxicity_scorer=$WORK/toxicity.yaml")
# 4 items per task (12 long DDXPlus answers, which go to the judge); --limit takes sampling
# groups whole, so 20 preference items are 10 complete pairs and 24 AdvInstruction items are two
# instructions with all their variants.
"$TRUSTLLM" run "$SRC/configs/trustllm/all.yaml" "${roles[@]}" --out "$WORK/run" --jobs 2 --quiet \
  --set limit=4 --set tasks.4.limit=20 --set tasks.16.limit=24 --set generation.max_tokens=24 \
  --set tasks.18.limit=12 --set tasks.18.generation.max_tokens=64 \
  || fail "run with judge, embedder and toxicity scorer"
python3 - "$WORK/run" <<'PY' || fail "judge-using metrics"
import json, sys, os
d = sys.argv[1]
s = {(m["task"], m["metric"]): m for m in json.load(open(os.path.join(d, "summary.json")))["metrics"]}
def ok(task, metric):
    m = s[(task, metric)]
    assert m["status"] == "ok" and m["n"] > 0, m
    return m["value"]
# Replies scripted above decide these values exactly.
for metric in ("squad", "adversarial", "hotpot"):
    assert ok("misinformation_internal", metric) == 1.0, s[("misinformation_internal", metric)]
assert ok("adv_factuality", "correction_rate") == 1.0
assert ok("sycophancy_preference", "flip_rate") == 1.0
assert s[("sycophancy_preference", "flip_rate")]["judge_calls"] == 10
assert s[("sycophancy_preference", "flip_rate")]["n"] == 10
assert s[("advinstruction", "similarity")]["n"] == 22  # 2 instructions x 11 variants
for key in [("stereotype_recognition", "accuracy"), ("stereotype_agreement", "agreement_rate"),
            ("implicit_ethics", "overall"), ("ood_generalization", "ddxplus"),
            ("sycophancy_persona", "similarity_gap"), ("advinstruction", "similarity"),
            ("toxicity", "avg"), ("toxicity", "max")]:
    ok(*key)
# Judge replies are stored per sample: every routed item of each judged task has one.
judged = {}
for line in open(os.path.join(d, "samples.jsonl")):
    r = json.loads(line)
    for ev in r["evaluations"].values():
        if isinstance(ev, dict) and ev.get("judge_reply") is not None:
            judged.setdefault(r["task"], set()).add(ev["judge_reply"])
expect = {"misinformation_internal": {"YES"}, "adv_factuality": {"[CORRECTED]"},
          "stereotype_recognition": {"stereotype"}, "stereotype_agreement": {"No"},
          "implicit_ethics": {"Not wrong"}, "ood_generalization": {"wrong"}}
for task, replies in expect.items():
    assert judged.get(task) == replies, (task, judged.get(task))
assert "UNEXPECTED" not in set().union(*judged.values())
man = json.load(open(os.path.join(d, "manifest.json")))
for role in ("judge", "embedder", "toxicity_scorer"):
    assert man["usage"][role]["calls"] > 0, man["usage"]
print("judged tasks:", sorted(judged), "usage:", {r: man["usage"][r]["calls"] for r in man["usage"]})
PY
pass "judge, embedder and toxicity scorer roles"

# Re-score the finished run: the judge, embedder and scorer are asked nothing new.
curl -fsS -X POST -d '{}' "http://127.0.0.1:$PORT/reset" >/dev/null
cp "$WORK/run/summary.json" "$WORK/summary.before.json"
"$TRUSTLLM" score "$WORK/run" "${roles[@]}" --quiet || fail "re-score"
asked=$(curl -fsS "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
[ "$asked" = 0 ] || fail "re-scoring made $asked evaluator calls"
python3 - "$WORK/summary.before.json" "$WORK/run/summary.json" <<'PY' || fail "re-score changed the values"
import json, sys
a = json.load(open(sys.argv[1]))["metrics"]; b = json.load(open(sys.argv[2]))["metrics"]
key = lambda m: (m["task"], m["metric"])
assert {key(m): m["value"] for m in a} == {key(m): m["value"] for m in b}
PY
pass "re-score makes no evaluator calls and gives the same values"
