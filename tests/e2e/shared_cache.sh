#!/usr/bin/env bash
# --cache FILE: two processes share one response cache at the same time without "database is
# locked", and a later suite into a new folder reuses every answer already paid for.
. "$(dirname "$0")/lib.sh"
need_data
start_fake_server --seed 11 --latency-ms 1 --reply echo
fake_model_file "$WORK/fake.yaml"
common=("$SRC/configs/trustllm/safety.yaml" --model "$WORK/fake.yaml" --jobs 8 --quiet --cache "$WORK/cache.sqlite")
"$TRUSTLLM" run "${common[@]}" --limit 200 --out "$WORK/a" 2>"$WORK/a.err" &
pa=$!
"$TRUSTLLM" run "${common[@]}" --limit 200 --out "$WORK/b" 2>"$WORK/b.err" &
pb=$!
wait $pa || fail "process A failed: $(cat "$WORK/a.err")"
wait $pb || fail "process B failed: $(cat "$WORK/b.err")"
grep -qi "locked" "$WORK/a.err" "$WORK/b.err" && fail "database is locked"
curl -fsS -X POST -d '{}' "http://127.0.0.1:$PORT/reset" >/dev/null
"$TRUSTLLM" run "${common[@]}" --limit 200 --out "$WORK/c" || fail "third run"
ok=$(curl -fsS "http://127.0.0.1:$PORT/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])')
[ "$ok" = 0 ] || fail "a new folder with the shared cache made $ok model calls"
pass "shared cache"
