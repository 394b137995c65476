#!/usr/bin/env bash
# Run reports through the real CLI: `trustllm run` of the quickstart suite (all six dimensions,
# the embedded model, with the published leaderboard of configs/leaderboard/) writes report.html
# (self-contained, six axes, every sample embedded, intervals, published positions),
# `trustllm report DIR` in html / md / csv, hostile model output in a replayed run stays text, a
# report that cannot be written never fails the run, and (when Debian's chromium is installed)
# the page opened in headless Chromium by report_dom.js --browser: no console message, six axes,
# every filter, and a screenshot in the test's output folder (REPORT_SCREENSHOT_DIR=docs/img
# writes docs/img/report.png). Hostile output in a real scored run: report_xss.sh.
. "$(dirname "$0")/lib.sh"
need_data; need_model

cat >"$WORK/suite.yaml" <<EOF
include: $SRC/configs/quickstart.yaml
report:
  published: $SRC/configs/leaderboard/trustllm-website.yaml
EOF
run="$WORK/s"
"$TRUSTLLM" run "$WORK/suite.yaml" --limit 3 --jobs 2 --quiet --out "$run" \
  >"$WORK/run.txt" || fail "run failed"
[ -s "$run/report.html" ] || fail "run wrote no report.html"
grep -qxF "report: $run/report.html" "$WORK/run.txt" || fail "run did not print the report path: $(cat "$WORK/run.txt")"
pass "run writes report.html and prints its path"

# check_page HTML RUN_DIR: self-contained, six axes, the run's samples in the data block.
check_page() {
  python3 - "$1" "$2" <<'PY'
import base64, hashlib, json, os, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
run = sys.argv[2]
# The CSP allows exactly the page's own script and style, by hash: a wrong hash would block them.
csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
def sha(text): return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
script = re.search(r'<script>(.*?)</script>', html, re.S).group(1)
style = re.search(r'<style>(.*?)</style>', html, re.S).group(1)
assert "script-src %s;" % sha(script) in csp, ("script hash", csp)
assert "style-src %s;" % sha(style) in csp, ("style hash", csp)
ext = re.findall(r'''(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//''', html, re.I)
assert not ext, "external reference: %r" % ext
assert not re.search(r'<link\b', html, re.I), "a <link> element"
assert "default-src 'none'" in html, "no Content-Security-Policy"
assert len(re.findall(r'<script\b', html)) == 2 and len(re.findall(r'</script', html)) == 2, "script elements"
axes = re.findall(r'<g class="axis" data-dimension="([a-z]+)"', html)
assert axes == ["truthfulness", "safety", "fairness", "robustness", "privacy", "ethics"], axes
m = re.search(r'<script type="application/json" id="tlm-samples">(.*?)</script>', html, re.S)
data = json.loads(m.group(1))
lines = [json.loads(l) for l in open(os.path.join(run, "samples.jsonl")) if l.strip()]
assert len(data) == len(lines), (len(data), len(lines))
for d, l in zip(data, lines):
    assert d["response"] == l["response"] and d["prompt"] == l["prompt"], d["id"]
summary = json.load(open(os.path.join(run, "summary.json")))
for t in {m["task"] for m in summary["metrics"]}:
    assert 'id="task-%s"' % t in html, t
PY
}
check_page "$run/report.html" "$run" || fail "report.html content"
pass "report.html is self-contained, has six axes and every sample"

# --format md / csv to standard output, --out FILE.
"$TRUSTLLM" report "$run" --format md >"$WORK/r.md" || fail "report --format md"
grep -q '^## jailbreak (safety)$' "$WORK/r.md" && grep -q '^| rta | ' "$WORK/r.md" \
  && grep -q '^| safety | ' "$WORK/r.md" && grep -q 'published position' "$WORK/r.md" \
  || fail "markdown content: $(head -20 "$WORK/r.md")"
"$TRUSTLLM" report "$run" --format csv >"$WORK/r.csv" || fail "report --format csv"
python3 - "$WORK/r.csv" "$run/summary.json" <<'PY' || fail "csv content"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["dimension", "task", "metric", "value", "n", "direction", "status", "reason",
                   "ci95_lo", "ci95_hi", "published_position", "published_out_of",
                   "published_column", "published_next_better", "published_level",
                   "published_next_worse"], rows[0]
metrics = json.load(open(sys.argv[2]))["metrics"]
assert len(rows) - 1 == len(metrics), (len(rows), len(metrics))
positions = 0
for r, m in zip(rows[1:], metrics):
    assert r[:3] == [m["dimension"], m["task"], m["metric"]], r
    assert (r[3] == "") if m["value"] is None else float(r[3]) == m["value"], r
    assert r[6] == m["status"] and r[7] == m.get("reason", ""), r
    ci = m.get("ci95")
    assert (r[8:10] == ["", ""]) if ci is None else [float(x) for x in r[8:10]] == ci, r
    if r[10]:
        positions += 1
        assert m["status"] == "ok" and 1 <= int(r[10]) <= int(r[11]) <= 22 and r[12], r
assert positions > 0, "no published position in the quickstart run"
PY
"$TRUSTLLM" report "$run" --out "$WORK/other.html" >"$WORK/out.txt" || fail "report --out"
grep -qxF "report: $WORK/other.html" "$WORK/out.txt" || fail "report --out did not print the path"
cmp -s "$WORK/other.html" "$run/report.html" || fail "report of the same run differs from the one run wrote"
pass "report --format md / csv / --out"

# Re-scoring a run rewrites its report too.
rm "$run/report.html"
"$TRUSTLLM" score "$run" --quiet >"$WORK/score.txt" || fail "score failed"
grep -qxF "report: $run/report.html" "$WORK/score.txt" && [ -s "$run/report.html" ] \
  || fail "score did not write the report: $(cat "$WORK/score.txt")"
pass "score writes report.html"

expect_error "summary.json: not found" 2 -- "$TRUSTLLM" report "$WORK"
expect_error "format" 2 -- "$TRUSTLLM" report "$run" --format pdf
pass "report of a folder that is not a run: one line, exit 2"

# A replayed run whose answers and judge replies are hostile: shown as text only.
hostile="$WORK/hostile"
cp -r "$run" "$hostile"
python3 - "$hostile/samples.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
lines = [json.loads(l) for l in open(path) if l.strip()]
evil = ('</script><script>alert(1)</script><img src=x onerror=alert(1)>'
        '<a href="javascript:alert(1)">x</a><!-- open comment \u2028 \u2029 &amp;')
for s in lines:
    s["response"] = evil
    s["prompt"] = "<script>alert('prompt')</script>" + s["prompt"]
    for r in s["evaluations"].values():
        r["judge_reply"] = "</script><svg onload=alert(2)>"
# More than two pages of the browser (50 per page).
more = []
while len(lines) + len(more) < 130:
    c = json.loads(json.dumps(lines[len(more) % len(lines)]))
    c["id"] = "copy-%d" % len(more)
    more.append(c)
with open(path, "w") as f:
    for s in lines + more: f.write(json.dumps(s, ensure_ascii=False) + "\n")
with open(path + ".first-response", "w") as f:
    f.write(evil)
PY
"$TRUSTLLM" report "$hostile" >/dev/null || fail "report of the hostile run"
check_page "$hostile/report.html" "$hostile" || fail "hostile report.html content"
python3 - "$hostile/report.html" <<'PY' || fail "hostile output not escaped"
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
for raw in ["<script>alert", "<img", "<svg onload", "<!--", 'href="javascript:', "\u2028", "\u2029"]:
    assert raw not in html, raw
data = re.search(r'id="tlm-samples">(.*?)</script>', html, re.S)
outside = html[:data.start()] + html[data.end():]
for word in ["javascript:", "onerror", "onload", "alert("]:
    assert word not in outside, word
PY
pass "hostile responses, prompts and judge replies are escaped"

# The page's script against a minimal DOM in Node (no browser needed): it builds the sample
# browser from text only; paging and filters work.
if command -v node >/dev/null 2>&1; then
  node "$SRC/tests/e2e/report_dom.js" "$run/report.html" || fail "sample browser (run)"
  node "$SRC/tests/e2e/report_dom.js" --expect-response "$hostile/samples.jsonl.first-response" \
    "$hostile/report.html" || fail "sample browser (hostile run)"
  pass "sample browser script: paging, filters, text only"
else
  echo "skip: node is not installed; the sample browser script was not run"
fi

# A report that cannot be written warns and keeps the run's exit code.
mkdir -p "$WORK/blocked/report.html/keep"
"$TRUSTLLM" run "$SRC/configs/trustllm/safety.yaml" --limit 2 --jobs 2 --quiet --out "$WORK/blocked" \
  >"$WORK/b.txt" 2>"$WORK/b.err" || fail "a run whose report fails must still succeed: $(cat "$WORK/b.err")"
grep -q "warning: report.html not written" "$WORK/b.err" || fail "no warning: $(cat "$WORK/b.err")"
[ -s "$WORK/blocked/summary.json" ] || fail "the run lost its summary"
pass "a report failure is a warning, the run is kept"

# The page in a real browser (Debian's chromium), driven by report_dom.js over the DevTools
# protocol: no console message, six axes, nothing injected, every filter; a screenshot.
if command -v chromium >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  shots="$(screenshot_dir report_output)"
  node "$SRC/tests/e2e/report_dom.js" --browser --screenshot "$shots/report.png" "$run/report.html" \
    || fail "the report in chromium"
  node "$SRC/tests/e2e/report_dom.js" --browser \
    --expect-response "$hostile/samples.jsonl.first-response" "$hostile/report.html" \
    || fail "the hostile report in chromium"
  [ -s "$shots/report.png" ] || fail "no screenshot"
  pass "chromium: no console message, six axes, nothing injected, filters work ($shots/report.png)"
else
  echo "skip: chromium or node is not installed (Debian package 'chromium'); the browser checks did not run"
fi
