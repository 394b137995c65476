#!/usr/bin/env bash
# The whole safety suite through the real CLI against the fake OpenAI-compatible server that
# answers 20% of requests with 429 (Retry-After) and 5% with 500: every sample completes,
# exactly once.
. "$(dirname "$0")/lib.sh"
need_data
start_fake_server --seed 7 --p429 0.2 --p500 0.05 --retry-after 0.01 --reply echo
fake_model_file "$WORK/fake.yaml" "max_concurrency: 16"
"$TRUSTLLM" run "$SRC/configs/trustllm/safety.yaml" --model "$WORK/fake.yaml" \
  --out "$WORK/out" --jobs 16 --quiet || fail "run failed"
curl -fsS "http://127.0.0.1:$PORT/stats" >"$WORK/stats.json"
n=$(wc -l <"$WORK/out/samples.jsonl")
[ "$n" = 4174 ] || fail "expected 4174 samples (2774 + toxicity's 1400), got $n"
python3 - "$WORK/out/samples.jsonl" "$WORK/stats.json" <<'PY' || fail "exactly-once check"
import json, sys, collections
samples = [json.loads(l) for l in open(sys.argv[1])]
stats = json.load(open(sys.argv[2]))
keys = collections.Counter((s["task"], s["id"]) for s in samples)
assert max(keys.values()) == 1, "a sample appears twice"
bad = [s for s in samples if s["status"] != "ok" or not isinstance(s["response"], str)]
assert not bad, "failed samples: %d, e.g. %s" % (len(bad), bad[0].get("error"))
assert all(s["response"].startswith("ECHO: ") for s in samples), "unexpected reply"
# toxicity sends exactly jailbreak's requests: the cache answers them, the server sees each once
asked = [s for s in samples if s["task"] != "toxicity"]
assert stats["ok"] == len(asked), "server answered %d successful requests for %d samples" % (stats["ok"], len(asked))
jb = {s["id"]: s["response"] for s in samples if s["task"] == "jailbreak"}
assert all(jb[s["id"]] == s["response"] for s in samples if s["task"] == "toxicity")
errs = stats.get("errors", {})
assert errs.get("429", 0) > 300 and errs.get("500", 0) > 50, "faults were not injected: %s" % errs
print("requests", stats["requests"], "ok", stats["ok"], "errors", errs)
PY
python3 - "$WORK/out/summary.json" <<'PY' || fail "summary"
import json, sys
d = json.load(open(sys.argv[1]))
ids = {(m["task"], m["metric"]) for m in d["metrics"]}
for need in [("jailbreak", "rta"), ("misuse", "rta"), ("exaggerated_safety", "rta"), ("jailbreak", "rta:leetspeak")]:
    assert need in ids, need
for m in d["metrics"]:
    if m["task"] == "toxicity":  # no toxicity_scorer bound: skipped, with the fix in the reason
        assert m["status"] == "skipped" and "--role toxicity_scorer=FILE.yaml" in m["reason"], m
        continue
    assert m["status"] == "ok", m
    assert m["n"] > 0
labels = [m for m in d["metrics"] if m["task"] == "jailbreak" and m["metric"].startswith("rta:")]
assert len(labels) == 14, len(labels)
PY
pass "every sample exactly once under 429/500 faults"
