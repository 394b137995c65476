#!/usr/bin/env bash
# Importing the parity tree (the TrustLLM toolkit's result format) reproduces the toolkit's
# values for every task the suite implements, within the tolerance of the parity README.
. "$(dirname "$0")/lib.sh"
need_parity
"$TRUSTLLM" score --import-trustllm "$TRUSTLLM_PARITY_DIR" --out "$WORK/p" --quiet || fail "import failed"
python3 - "$WORK/p/summary.json" "$TRUSTLLM_PARITY_DIR/expected.json" "${PARITY_TASKS:-jailbreak misuse exaggerated_safety}" <<'PY'
import json, sys
ours = {(m["task"], m["metric"]): m for m in json.load(open(sys.argv[1]))["metrics"]}
expected = json.load(open(sys.argv[2]))
tasks = set(sys.argv[3].split())
checked = 0
for e in expected:
    if e["task"] not in tasks: continue
    key = (e["task"], e["metric"])
    assert key in ours, "missing %s.%s" % key
    tol = 1e-9 if e["decimals"] is None else 0.5 * 10 ** -e["decimals"]
    v = ours[key]["value"]
    assert v is not None and abs(v - e["value"]) <= tol, "%s.%s: ours %r, toolkit %r" % (key[0], key[1], v, e["value"])
    checked += 1
assert checked > 0
print("parity: %d values match" % checked)
PY
pass "parity"
