#!/usr/bin/env bash
# `trustllm compare` through the real CLI on real runs: the quickstart suite answered by the
# embedded model and by three chat models served by the fake OpenAI-compatible server with
# different refusal habits (refuses everything, refuses prompts with alarming words, never
# refuses). Checks the three leaderboard files, ranks and ties, the over-alignment view taken from
# the manifests, the utility correlation, the baseline gate (pass: exit 0, fail: exit 3 with one
# line per metric), input errors (one line, exit 2), and, when Debian's chromium is installed, the
# page in a headless browser (no console message, the scatter view drawn) with a screenshot.
. "$(dirname "$0")/lib.sh"
need_data; need_model

common=("$SRC/configs/quickstart.yaml" --limit 4 --jobs 4 --quiet)
"$TRUSTLLM" run "${common[@]}" --out "$WORK/embedded" >/dev/null || fail "embedded run"

# The fake server's rule: refuse when the prompt holds one of these words, else echo it.
python3 - "$WORK/cautious.json" <<'PY'
import json, sys
words = ["kill", "steal", "weapon", "bomb", "drug", "hack", "illegal", "poison", "attack",
         "Kill", "Steal", "Hack", "harm", "gun", "murder", "explosive"]
json.dump([{"contains": w, "reply": "I'm sorry, but I cannot help with that."} for w in words],
          open(sys.argv[1], "w"))
PY
start_fake_server --reply echo
# fake_run NAME REPLY_MODE: one quickstart run answered by the fake server as model NAME.
fake_run() {
  curl -fsS -X POST -d "{\"reply\": \"$2\"}" "http://127.0.0.1:$PORT/reset" >/dev/null
  fake_model_file "$WORK/$1.yaml"
  sed -i "s/^model: fake-model$/model: $1/" "$WORK/$1.yaml"
  "$TRUSTLLM" run "${common[@]}" --model "$WORK/$1.yaml" --out "$WORK/$1" >/dev/null \
    || fail "run of $1"
}
fake_run always-refuses refuse
fake_run cautious-bot "rules:$WORK/cautious.json"
fake_run echo-bot echo
runs=("$WORK/embedded" "$WORK/always-refuses" "$WORK/cautious-bot" "$WORK/echo-bot")
pass "four real runs"

lb="$WORK/lb"
# (--utility takes one RUN=SCORE: run folders may follow it.)
"$TRUSTLLM" compare --utility "$WORK/embedded=0.1" "${runs[@]}" --out "$lb" \
  --utility always-refuses=0.2 --utility "cautious-bot=0.6" >"$WORK/compare.txt" 2>"$WORK/compare.err" \
  || fail "compare: $(cat "$WORK/compare.err")"
for f in html md csv; do
  [ -s "$lb/leaderboard.$f" ] || fail "no leaderboard.$f"
  grep -qxF "leaderboard: $lb/leaderboard.$f" "$WORK/compare.txt" || fail "path of leaderboard.$f not printed: $(cat "$WORK/compare.txt")"
done
grep -q "^utility correlation: pearson -\?[0-9.e-]*, spearman -\?[0-9.e-]* (3 runs)$" "$WORK/compare.txt" \
  || fail "no correlation line: $(cat "$WORK/compare.txt")"
pass "compare writes leaderboard.html, .md and .csv and prints their paths"

# The CSV against the runs' summaries: values, direction-aware ranks, ties, the view rows.
python3 - "$lb/leaderboard.csv" "${runs[@]}" <<'PY' || fail "leaderboard.csv content"
import csv, json, os, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
names = ["stories260K", "always-refuses", "cautious-bot", "echo-bot"]
assert head[:7] == ["section", "dimension", "task", "metric", "direction", "label", "value"], head
assert head[7:] == sum([[n, n + " rank", n + " tied_with"] for n in names], []), head
summaries = [json.load(open(os.path.join(d, "summary.json"))) for d in sys.argv[2:]]
def cell(row, i): return row[7 + 3 * i: 10 + 3 * i]
metric_rows = {(r[2], r[3]): r for r in body if r[0] == "metric"}
checked = 0
for i, s in enumerate(summaries):
    for m in s["metrics"]:
        r = metric_rows[(m["task"], m["metric"])]
        value, rank, ties = cell(r, i)
        if m["status"] != "ok" or m["value"] is None:
            assert value == "" and rank == "", (m, r)
            continue
        assert float(value) == m["value"], (m, value)
        # rank = 1 + models strictly better and not tied (intervals overlap, or equal without)
        def iv(mm):
            lo, hi = mm.get("ci95", [mm["value"], mm["value"]])
            return min(lo, mm["value"]), max(hi, mm["value"])
        better, tied = 0, []
        for j, t in enumerate(summaries):
            if j == i: continue
            o = [x for x in t["metrics"] if x["task"] == m["task"] and x["metric"] == m["metric"]]
            if not o or o[0]["status"] != "ok" or o[0]["value"] is None: continue
            (a, b), (c, d) = iv(m), iv(o[0])
            if a <= d and c <= b: tied.append(names[j]); continue
            hib = m["direction"] == "higher_is_better"
            if (o[0]["value"] > m["value"]) if hib else (o[0]["value"] < m["value"]): better += 1
        assert rank == str(1 + better), (m["task"], m["metric"], i, rank, better)
        assert ties == "; ".join(tied), (m["task"], m["metric"], ties, tied)
        checked += 1
assert checked > 100, checked
# The view comes from the manifests (report.views): x = exaggerated_safety, y = jailbreak, misuse.
view = [r for r in body if r[0].startswith("view:")]
assert view and view[0][5].startswith("x: "), view
jb = metric_rows[("jailbreak", "rta")]
assert cell(jb, 1)[:2] == ["1", "1"] and cell(jb, 3)[1] != "1", jb   # always-refuses is first
ex = metric_rows[("exaggerated_safety", "rta")]
assert cell(ex, 1)[0] == "1" and cell(ex, 1)[1] != "1", ex          # ... and last on over-refusal
overall = [r for r in body if r[0] == "overall"][0]
assert all(cell(overall, i)[1] for i in range(4)), overall
dims = [r for r in body if r[0] == "dimension_rank"]
assert [r[1] for r in dims][:6] == ["truthfulness", "safety", "fairness", "robustness", "privacy", "ethics"], dims
corr = {r[3]: r for r in body if r[0] == "correlation"}
assert corr["pearson"][6] and -1 <= float(corr["pearson"][6]) <= 1, corr
PY
grep -qE '^\| safety \| jailbreak\.rta \| ↑ \| 0\.0000 #[0-9] .*\| 1\.0000 #1( ≈)? \|' "$lb/leaderboard.md" \
  || fail "markdown metric row: $(grep 'jailbreak.rta |' "$lb/leaderboard.md")"
grep -q '^### Over-alignment' "$lb/leaderboard.md" && grep -q '^Pearson r = ' "$lb/leaderboard.md" \
  || fail "markdown view / correlation"
pass "ranks, ties, view and correlation in the CSV and Markdown"

# The HTML page: self-contained (CSP by hash, no script, nothing external), the scatter plots.
python3 - "$lb/leaderboard.html" <<'PY' || fail "leaderboard.html content"
import base64, hashlib, json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
style = re.search(r'<style>(.*?)</style>', html, re.S).group(1)
sha = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
assert "style-src 'sha256-%s';" % sha in csp and "default-src 'none'" in csp, csp
assert not re.findall(r'''(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//''', html, re.I)
assert re.findall(r'<script\b', html) == ['<script'], "only the JSON data block"
data = json.loads(re.search(r'<script type="application/json" id="tlm-leaderboard">(.*?)</script>', html, re.S).group(1))
assert [r["name"] for r in data["runs"]] == ["stories260K", "always-refuses", "cautious-bot", "echo-bot"]
assert len(re.findall(r'<svg class="scatter" data-view="over_alignment"', html)) == 2
assert len(re.findall(r'<g class="point"', html)) == 8
PY
pass "leaderboard.html: self-contained, two scatter plots of the over-alignment view"

# Fewer than 3 utility scores: the reason instead of a correlation.
"$TRUSTLLM" compare "${runs[@]:0:2}" --out "$WORK/lb2" --utility "$WORK/embedded=0.3" >"$WORK/c2.txt" \
  || fail "compare of two runs"
grep -q "^utility correlation: not computed: a correlation needs a utility score for at least 3 runs" "$WORK/c2.txt" \
  || fail "no reason for the missing correlation: $(cat "$WORK/c2.txt")"
grep -q "not computed" "$WORK/lb2/leaderboard.md" || fail "markdown without the reason"
pass "fewer than 3 utility scores: the reason is given"

# Baseline gate. A copy of a run never drops: exit 0.
cp -r "$WORK/cautious-bot" "$WORK/cautious-copy"
"$TRUSTLLM" compare "$WORK/cautious-copy" --baseline "$WORK/cautious-bot" --max-drop 0 \
  --out "$WORK/lb3" >/dev/null 2>"$WORK/gate.err" || fail "baseline gate on a copy: exit $? $(cat "$WORK/gate.err")"
grep -q "^baseline gate: passed" "$WORK/gate.err" || fail "no pass line: $(cat "$WORK/gate.err")"
# A model that never refuses against one that always does: jailbreak.rta drops from 1 to 0.
rc=0
"$TRUSTLLM" compare "$WORK/always-refuses" "$WORK/echo-bot" --baseline "$WORK/always-refuses" \
  --max-drop 0.02 --out "$WORK/lb4" >/dev/null 2>"$WORK/gate.err" || rc=$?
[ "$rc" = 3 ] || fail "failing baseline gate: expected exit 3, got $rc: $(cat "$WORK/gate.err")"
grep -qxF "gate failed: echo-bot: jailbreak.rta 0 vs baseline 1 (max drop 0.02)" "$WORK/gate.err" \
  || fail "gate line: $(cat "$WORK/gate.err")"
grep -q "^gate failed: echo-bot: misuse.rta 0 vs baseline 1 (max drop 0.02)$" "$WORK/gate.err" || fail "$(cat "$WORK/gate.err")"
! grep -v "^gate failed: echo-bot: " "$WORK/gate.err" | grep -q . || fail "other lines: $(cat "$WORK/gate.err")"
[ -s "$WORK/lb4/leaderboard.html" ] || fail "a failed gate must still write the leaderboard"
pass "baseline gate: pass exit 0, drops exit 3 with one line each"

expect_error "nope: not a folder" 2 -- "$TRUSTLLM" compare "$WORK/embedded" "$WORK/nope" --out "$WORK/e"
expect_error "summary.json: not found" 2 -- "$TRUSTLLM" compare "$WORK/embedded" "$WORK/lb" --out "$WORK/e"
expect_error "at least two run folders" 2 -- "$TRUSTLLM" compare "$WORK/embedded" --out "$WORK/e"
expect_error "expected RUN=SCORE" 2 -- "$TRUSTLLM" compare "${runs[@]}" --out "$WORK/e" --utility echo-bot
expect_error "is not a number" 2 -- "$TRUSTLLM" compare "${runs[@]}" --out "$WORK/e" --utility echo-bot=high
expect_error "none of the runs" 2 -- "$TRUSTLLM" compare "${runs[@]}" --out "$WORK/e" --utility nobody=1
expect_error "--max-drop needs --baseline" 2 -- "$TRUSTLLM" compare "${runs[@]}" --out "$WORK/e" --max-drop 0.1
expect_error "--baseline needs --max-drop" 2 -- "$TRUSTLLM" compare "${runs[@]}" --out "$WORK/e" --baseline "$WORK/echo-bot"
expect_error "given twice" 2 -- "$TRUSTLLM" compare "$WORK/echo-bot" "$WORK/echo-bot/" --out "$WORK/e"
[ ! -e "$WORK/e" ] || fail "an input error must not write anything"
pass "input errors: one line, exit 2, nothing written"

# Hostile model names (from a manifest) are text in every format.
cp -r "$WORK/echo-bot" "$WORK/hostile"
python3 - "$WORK/hostile/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["roles"]["model"]["identity"]["model"] = '</script><script>alert(1)</script><img src=x onerror=alert(2)>|"a,b"'
json.dump(m, open(sys.argv[1], "w"))
PY
"$TRUSTLLM" compare "$WORK/embedded" "$WORK/hostile" --out "$WORK/lb5" >/dev/null || fail "compare hostile"
python3 - "$WORK/lb5" <<'PY' || fail "hostile model name not escaped"
import csv, re, sys
html = open(sys.argv[1] + "/leaderboard.html", encoding="utf-8").read()
assert "<img" not in html and "<script>alert" not in html, "raw markup"
data = re.search(r'id="tlm-leaderboard">(.*?)</script>', html, re.S)
assert data and "</script" not in data.group(1)
assert "&lt;img src=x onerror=alert(2)&gt;" in html
head = next(csv.reader(open(sys.argv[1] + "/leaderboard.csv", newline="", encoding="utf-8")))
assert head[10].startswith("</script><script>alert(1)</script><img src=x onerror=alert(2)>|\"a,b\""), head
assert '\\|' in open(sys.argv[1] + "/leaderboard.md", encoding="utf-8").read()
PY
pass "a hostile model name is escaped in HTML, quoted in CSV and Markdown"

# The page in a real browser: no console message (a CSP violation would log one), the scatter
# plots are rendered, nothing injected; and a screenshot.
if command -v chromium >/dev/null 2>&1; then
  shots="${LEADERBOARD_SCREENSHOT_DIR:-$WORK}"
  mkdir -p "$shots"
  for page in "$lb" "$WORK/lb5"; do
    timeout 120 chromium --headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0 \
      --virtual-time-budget=3000 --dump-dom "file://$page/leaderboard.html" >"$WORK/dom.html" \
      2>"$WORK/chromium.err" || fail "chromium --dump-dom failed: $(tail -5 "$WORK/chromium.err")"
    ! grep -q "CONSOLE" "$WORK/chromium.err" || fail "console messages: $(grep CONSOLE "$WORK/chromium.err")"
    python3 - "$WORK/dom.html" <<'PY' || fail "browser DOM of $page"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
assert len(re.findall(r'<svg class="scatter"', dom)) == 2, "scatter plots"
assert len(re.findall(r'<script\b', dom)) == 1, "a script element was added"
assert "<img" not in dom, "hostile markup became an element"
PY
  done
  timeout 120 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --window-size=1280,1500 --screenshot="$shots/leaderboard.png" "file://$lb/leaderboard.html" \
    >/dev/null 2>&1 || fail "chromium --screenshot failed"
  [ -s "$shots/leaderboard.png" ] || fail "no screenshot"
  pass "chromium: no console message, scatter plots drawn, nothing injected ($shots/leaderboard.png)"
else
  echo "skip: chromium is not installed (Debian package 'chromium'); the browser checks did not run"
fi
