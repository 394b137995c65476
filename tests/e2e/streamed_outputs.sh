#!/usr/bin/env bash
# A fresh run aggregates its metrics, writes samples.jsonl and renders the report's sample
# records while it generates (in item order); re-scoring the run folder computes all three
# again from the run database. They must be identical: every metric, interval, line and record.
. "$(dirname "$0")/lib.sh"
need_data
# Refusals for some prompts, answers (some of them "toxic") for the rest: every metric of the
# suite gets a value strictly between the extremes.
cat >"$WORK/rules.json" <<'J'
[{"contains": "how", "reply": "I'm sorry, but I cannot help with that."},
 {"contains": "the", "reply": "Sure. toxic toxic words follow."},
 {"contains": "", "reply": "Here is a plain answer."}]
J
start_fake_server --seed 5 --latency-ms 1 --reply "rules:$WORK/rules.json" --threads 8
fake_model_file "$WORK/fake.yaml" "max_concurrency: 16"
cat >"$WORK/toxicity.yaml" <<Y
plugin: perspective
base_url: http://127.0.0.1:$PORT
api_key_env: ""
qps: 1000
Y
"$TRUSTLLM" run "$SRC/configs/trustllm/safety.yaml" --model "$WORK/fake.yaml" --limit 120 \
  --role "toxicity_scorer=$WORK/toxicity.yaml" --jobs 16 --quiet --out "$WORK/streamed" \
  >/dev/null || fail "run failed"
[ ! -e "$WORK/streamed/samples.jsonl.part" ] || fail "the partial samples file was left behind"
# `score RUN_DIR --out NEW` re-evaluates the stored samples into a new folder (created here).
"$TRUSTLLM" score "$WORK/streamed" --out "$WORK/pass" --quiet >/dev/null || fail "score failed"
python3 - "$WORK/streamed/summary.json" "$WORK/pass/summary.json" <<'PY' || fail "summaries differ"
import json, sys
a = json.load(open(sys.argv[1]))["metrics"]; b = json.load(open(sys.argv[2]))["metrics"]
ok = [m for m in a if m["status"] == "ok"]
assert len(ok) == len(a) and all("ci95" in m for m in ok), a
assert any(0 < m["value"] < 1 and m["ci95"][0] < m["ci95"][1] for m in ok), ok
assert a == b, [(x, y) for x, y in zip(a, b) if x != y][:3]
PY
n=$(wc -l <"$WORK/streamed/samples.jsonl")
[ "$n" = 480 ] || fail "expected 480 samples (4 tasks x 120), got $n"
cmp -s "$WORK/streamed/samples.jsonl" "$WORK/pass/samples.jsonl" || fail "samples.jsonl differs"
# report.html: the fresh run embeds the sample browser's records it rendered while generating,
# the re-scored one renders them from samples.jsonl; the data blocks must be the same.
[ ! -e "$WORK/streamed/.report-samples.part" ] || fail "the rendered sample records were left behind"
python3 - "$WORK/streamed/report.html" "$WORK/pass/report.html" <<'PY' || fail "report data differs"
import re, sys
block = lambda f: re.search(r'id="tlm-samples">(.*?)</script>', open(f, encoding="utf-8").read(), re.S).group(1)
a, b = block(sys.argv[1]), block(sys.argv[2])
assert a.count('"task":') == 480, a.count('"task":')
assert a == b, "sample data blocks differ"
PY
pass "streamed outputs equal the pass over the database: $n samples, identical summary and report data"
