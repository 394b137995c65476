#!/usr/bin/env bash
# Confidence intervals through the real CLI on the imported parity tree (every first-party metric
# plugin, all six dimensions): every ok metric has a ci95 that contains its value; a fixed seed
# gives identical intervals; --bootstrap 0 gives none and the same values; the manifest records
# the bootstrap.
. "$(dirname "$0")/lib.sh"
need_parity
"$TRUSTLLM" score --import-trustllm "$TRUSTLLM_PARITY_DIR" --out "$WORK/full" --quiet || fail "import failed"
python3 - "$WORK/full" <<'PY' || fail "intervals of the full import"
import json, sys
d = sys.argv[1]
ms = json.load(open(d + "/summary.json"))["metrics"]
bad = []
ok = [m for m in ms if m["status"] == "ok"]
for m in ok:
    ci = m.get("ci95")
    name = "%s.%s" % (m["task"], m["metric"])
    if ci is None:
        bad.append(name + ": no ci95")
    elif not (ci[0] <= m["value"] <= ci[1]):
        bad.append("%s: %r outside %r" % (name, m["value"], ci))
for m in ms:
    assert "replicates" not in m, "replicates leaked into summary.json"
    if m["status"] != "ok":
        assert "ci95" not in m, "skipped metric with an interval"
for b in bad: print("BAD", b)
assert not bad, "%d of %d ok metrics" % (len(bad), len(ok))
man = json.load(open(d + "/manifest.json"))
assert man["bootstrap"]["resamples"] == 1000, man.get("bootstrap")
print("intervals: %d ok metrics, all with ci95 containing the value" % len(ok))
PY
pass "every ok metric has an interval"

# A smaller tree (safety and privacy) for the repeat runs.
mkdir -p "$WORK/tree"
ln -s "$TRUSTLLM_PARITY_DIR/safety" "$WORK/tree/safety"
ln -s "$TRUSTLLM_PARITY_DIR/privacy" "$WORK/tree/privacy"
"$TRUSTLLM" score --import-trustllm "$WORK/tree" --out "$WORK/a" --quiet || fail "import a"
"$TRUSTLLM" score --import-trustllm "$WORK/tree" --out "$WORK/b" --quiet || fail "import b"
"$TRUSTLLM" score --import-trustllm "$WORK/tree" --out "$WORK/c" --quiet --bootstrap 0 || fail "import c"
"$TRUSTLLM" score --import-trustllm "$WORK/tree" --out "$WORK/d" --quiet --bootstrap 200 --set seed=7 || fail "import d"
python3 - "$WORK" <<'PY' || fail "repeat runs"
import json, sys
w = sys.argv[1]
def load(n):
    return {(m["task"], m["metric"]): m for m in json.load(open("%s/%s/summary.json" % (w, n)))["metrics"]}
a, b, c, d = load("a"), load("b"), load("c"), load("d")
with_ci = [k for k in a if "ci95" in a[k]]
assert len(with_ci) > 10, with_ci
for k in a:
    assert a[k].get("ci95") == b[k].get("ci95"), ("same seed, different interval", k)
    assert "ci95" not in c[k], ("--bootstrap 0 gave an interval", k)
    assert a[k]["value"] == c[k]["value"], ("value changed with the bootstrap", k)
assert any(a[k].get("ci95") != d[k].get("ci95") for k in with_ci), "another seed/count changed nothing"
assert json.load(open(w + "/c/manifest.json"))["bootstrap"]["resamples"] == 0
print("repeat runs: identical intervals for the same seed; none with --bootstrap 0")
PY
pass "seeded intervals"
echo "intervals: all passed"
