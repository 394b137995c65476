#!/usr/bin/env bash
# Importing the parity tree (the TrustLLM toolkit's result format, all six dimensions, 16,441
# items) reproduces every value of its expected.json within the tolerance of the parity README:
# |ours - expected| <= 1e-9, or <= 0.5 * 10^-decimals where the toolkit rounds.
# PARITY_TASKS="a b" restricts the check to those tasks (for debugging).
. "$(dirname "$0")/lib.sh"
need_parity
"$TRUSTLLM" score --import-trustllm "$TRUSTLLM_PARITY_DIR" --out "$WORK/p" --quiet || fail "import failed"
python3 - "$WORK/p/summary.json" "$TRUSTLLM_PARITY_DIR/expected.json" "${PARITY_TASKS:-}" <<'PY'
import json, sys
ours = {(m["task"], m["metric"]): m for m in json.load(open(sys.argv[1]))["metrics"]}
expected = json.load(open(sys.argv[2]))
only = set(sys.argv[3].split())
bad, checked = [], 0
for e in expected:
    if only and e["task"] not in only: continue
    key = (e["task"], e["metric"])
    tol = 1e-9 if e["decimals"] is None else 0.5 * 10 ** -e["decimals"]
    m = ours.get(key)
    v = m["value"] if m else None
    if m is None:
        bad.append("%s.%s: missing" % key)
    elif v is None or abs(v - e["value"]) > tol:
        bad.append("%s.%s: ours %r (%s), toolkit %r" % (key[0], key[1], v, m.get("reason", m.get("status")), e["value"]))
    checked += 1
for b in bad: print("MISMATCH", b)
assert not bad, "%d of %d values differ" % (len(bad), checked)
assert checked > 0
print("parity: %d values match" % checked)
PY
pass "parity"
