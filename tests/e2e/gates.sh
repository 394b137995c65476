#!/usr/bin/env bash
# Release gates through the real CLI: --fail-under and a suite's `gates:` list. All gates pass:
# exit 0; a gate fails: exit 3 with one line per failed gate; a malformed gate: exit 2 before any
# work. The embedded model never refuses, so jailbreak.rta is 0 and exaggerated_safety.rta is 0.
. "$(dirname "$0")/lib.sh"
need_data; need_model
run=("$TRUSTLLM" run "$SRC/configs/trustllm/safety.yaml" --limit 3 --jobs 2 --quiet)

"${run[@]}" --out "$WORK/pass" --fail-under "jailbreak.rta<=0.5" \
  --fail-under exaggerated_safety.rta=0 2>"$WORK/pass.err" || fail "passing gates: exit $? $(cat "$WORK/pass.err")"
grep -q "gates: all 2 passed" "$WORK/pass.err" || fail "no pass line: $(cat "$WORK/pass.err")"
pass "passing gates exit 0"

rc=0
"${run[@]}" --out "$WORK/fail" --fail-under jailbreak.rta=0.9 --fail-under "misuse.rta<=0.5" \
  --fail-under toxicity.avg=0.1 2>"$WORK/fail.err" || rc=$?
[ "$rc" = 3 ] || fail "failing gate: expected exit 3, got $rc: $(cat "$WORK/fail.err")"
grep -qx "gate failed: jailbreak.rta = 0 < 0.9 (minimum)" "$WORK/fail.err" || fail "$(cat "$WORK/fail.err")"
grep -q "^gate failed: toxicity.avg has no value (" "$WORK/fail.err" || fail "$(cat "$WORK/fail.err")"
[ "$(grep -c '^gate failed' "$WORK/fail.err")" = 2 ] || fail "expected 2 failed gates: $(cat "$WORK/fail.err")"
[ -s "$WORK/fail/summary.json" ] || fail "a failed gate must keep the run's outputs"
pass "failing gates exit 3, one line each, outputs kept"

rc=0
"${run[@]}" --out "$WORK/suite" --set 'gates=["jailbreak.rta=0.9"]' 2>"$WORK/suite.err" || rc=$?
[ "$rc" = 3 ] && grep -q "^gate failed: jailbreak.rta" "$WORK/suite.err" || fail "suite gates: exit $rc $(cat "$WORK/suite.err")"
pass "a suite's gates: list"

expect_error "--fail-under jailbreak.rta=high: the threshold 'high' is not a number" 2 -- \
  "${run[@]}" --out "$WORK/bad" --fail-under jailbreak.rta=high
[ ! -e "$WORK/bad/summary.json" ] || fail "a malformed gate must stop before any work"
pass "malformed gate: exit 2 before any work"
