#!/usr/bin/env bash
# The quickstart suite on the embedded model through the real CLI: outputs, manifest, table;
# a second run into the same folder makes no model calls; `generate` prints a completion.
. "$(dirname "$0")/lib.sh"
need_data; need_model
"$TRUSTLLM" run "$SRC/configs/quickstart.yaml" --out "$WORK/q" --limit 6 --jobs 2 >"$WORK/table.txt" \
  || fail "quickstart run failed"
for f in manifest.json summary.json samples.jsonl run.sqlite; do
  [ -s "$WORK/q/$f" ] || fail "missing $f"
done
n=$(wc -l <"$WORK/q/samples.jsonl")
[ "$n" = 168 ] || fail "expected 168 samples (26 tasks x 6, and one whole AdvInstruction instruction: 12), got $n"
grep -q "jailbreak" "$WORK/table.txt" && grep -q "rta" "$WORK/table.txt" || fail "no summary table: $(cat "$WORK/table.txt")"
python3 - "$WORK/q" <<'PY' || fail "output content"
import json, sys, os
d = sys.argv[1]
s = json.load(open(os.path.join(d, "summary.json")))
assert s["suite"] == "quickstart" and s["model"] == "stories260K", s
for m in s["metrics"]:
    for k in ("dimension", "task", "metric", "value", "n", "direction", "status"):
        assert k in m, (k, m)
    assert m["status"] in ("ok", "skipped"), m
    if m["status"] == "skipped": assert m.get("reason"), m
man = json.load(open(os.path.join(d, "manifest.json")))
for k in ("trustllm_version", "plugins", "datasets", "config", "seed", "started_at", "finished_at"):
    assert k in man, k
files = [f for t in man["datasets"] for f in t["info"]["files"]]
assert files and all(len(f["sha256"]) == 64 for f in files), files
# toxicity asks exactly what jailbreak asked (same_items_as): its 6 answers come from the cache
assert man["usage"]["model"]["calls"] == 162 and man["usage"]["model"]["cache_hits"] == 6, man["usage"]
assert {m["dimension"] for m in s["metrics"]} == {"truthfulness", "safety", "fairness", "robustness", "privacy", "ethics"}
for line in open(os.path.join(d, "samples.jsonl")):
    r = json.loads(line)
    for k in ("task", "id", "prompt", "response", "evaluations", "score"):
        assert k in r, k
PY
# Same suite into the same folder again: everything comes from the cache.
"$TRUSTLLM" run "$SRC/configs/quickstart.yaml" --out "$WORK/q" --limit 6 --jobs 2 --quiet || fail "rerun failed"
calls=$(json_get "$WORK/q/manifest.json" 'd["usage"]["model"]["calls"]')
hits=$(json_get "$WORK/q/manifest.json" 'd["usage"]["model"]["cache_hits"]')
[ "$calls" = 0 ] && [ "$hits" = 168 ] || fail "rerun made $calls model calls ($hits cache hits)"
# --jobs does not change the answers (per-item seeds).
"$TRUSTLLM" run "$SRC/configs/quickstart.yaml" --out "$WORK/q1" --limit 6 --jobs 1 --quiet || fail "jobs 1 run"
python3 - "$WORK/q/samples.jsonl" "$WORK/q1/samples.jsonl" <<'PY' || fail "answers depend on --jobs"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]; b = [json.loads(l) for l in open(sys.argv[2])]
assert [(x["id"], x["response"]) for x in a] == [(x["id"], x["response"]) for x in b]
PY
out=$("$TRUSTLLM" generate --model "$SRC/configs/models/stories260k.yaml" --max-tokens 20 "Once upon a time")
[ -n "$out" ] || fail "generate printed nothing"
pass "embedded model end to end"
