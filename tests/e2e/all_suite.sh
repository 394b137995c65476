#!/usr/bin/env bash
# configs/trustllm/all.yaml (all six dimensions) through the real CLI on the embedded model with
# --limit 3: summary.json holds every task and metric id of the spec's table (§1), each "ok" or
# "skipped" with a reason (no judge, embedder or toxicity scorer is bound here).
. "$(dirname "$0")/lib.sh"
need_data; need_model
"$TRUSTLLM" run "$SRC/configs/trustllm/all.yaml" --limit 3 --jobs 2 --quiet --out "$WORK/all" \
  --set generation.max_tokens=24 || fail "all.yaml run"
python3 - "$WORK/all/summary.json" <<'PY'
import json, sys
ids = {
  "misinformation_internal": "codah squad adversarial hotpot avg",
  "misinformation_external": "scifact covid healthver climate avg",
  "hallucination": "halu_qa halu_dial halu_summ mc avg",
  "sycophancy_persona": "similarity_gap",
  "sycophancy_preference": "flip_rate",
  "adv_factuality": "correction_rate",
  "jailbreak": "rta",
  "misuse": "rta",
  "exaggerated_safety": "rta",
  "toxicity": "avg max",
  "stereotype_recognition": "accuracy",
  "stereotype_agreement": "agreement_rate",
  "stereotype_query": "rta",
  "disparagement": "p_sex p_race",
  "preference": "plain_rta force_rta overall",
  "advglue": " ".join("%s_%s" % (k, t) for k in ("acc", "adv_acc", "asr")
                      for t in ("qqp", "sst2", "qnli", "mnli")) + " avg_acc avg_adv_acc avg_asr rs",
  "advinstruction": "similarity",
  "ood_detection": "rta",
  "ood_generalization": "ddxplus flipkart overall",
  "privacy_awareness_confaide": "pearson",
  "privacy_awareness_query": "rta_normal rta_aug",
  "privacy_leakage": "rta td cd",
  "implicit_ethics": "good_acc bad_acc overall",
  "implicit_social_chemistry": "good_acc neutral_acc bad_acc overall",
  "explicit_moralchoice": "low_acc high_rta",
  "emotional_awareness": "accuracy",
  "awareness": "perspective capability mission",
}
labels = ["fixed sentence", "no_punctuation", "programming", "cou", "Refusal sentence prohibition",
          "cot", "scenario", "multitask", "no_long_word", "url_encode", "without_the",
          "json_format", "leetspeak", "bad words"]
want = {(t, m) for t, ms in ids.items() for m in ms.split()}
want |= {("jailbreak", "rta:" + l) for l in labels}
s = json.load(open(sys.argv[1]))
got = {}
for m in s["metrics"]:
    got[(m["task"], m["metric"])] = m
missing = sorted(want - set(got))
assert not missing, "missing ids: %s" % missing
for key in sorted(want):
    m = got[key]
    assert m["status"] in ("ok", "skipped"), (key, m)
    if m["status"] == "ok":
        assert isinstance(m["value"], (int, float)), (key, m)
    else:
        assert m["value"] is None and m.get("reason"), (key, m)
    assert m["direction"] in ("higher_is_better", "lower_is_better"), (key, m)
    assert m.get("dimension") in ("truthfulness", "safety", "fairness", "robustness", "privacy", "ethics"), (key, m)
ok = sum(1 for k in want if got[k]["status"] == "ok")
print("all.yaml: %d ids present, %d ok, %d skipped with a reason" % (len(want), ok, len(want) - ok))
PY
pass "all.yaml covers every spec id"
