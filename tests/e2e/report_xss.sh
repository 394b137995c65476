#!/usr/bin/env bash
# Hostile model output in the run report, for real: the toolkit result tree of xss_fixture/hostile_results.json
# (responses, prompts, judge replies and a label carrying <script>, </script>, onerror=,
# javascript: URLs and <!-- comments) is scored with `trustllm score --import-trustllm`, and
# the report.html that score writes is checked as a file (no payload left unescaped outside the
# JSON data block, which gives back the exact texts) and, with Debian's chromium, opened headless
# (tests/e2e/report_dom.js --browser --xss): no payload runs, no element, attribute, URL or
# comment comes from the data, no console message, the payloads are visible as text, six axes,
# every filter works. A canary page with a payload written into its markup must make that check
# fail, so the check is known to see what it looks for. The screenshot goes to the test's output
# folder (CTest's build folder of this test, else REPORT_SCREENSHOT_DIR, else the work folder).
. "$(dirname "$0")/lib.sh"

# The fixture is one file of ours ({"<dimension>/<file>.json": [items]}), laid out here as the
# toolkit's result tree.
fixture="$WORK/xss_tree"
python3 - "$SRC/tests/e2e/xss_fixture/hostile_results.json" "$fixture" <<'PY' || fail "fixture tree"
import json, os, sys
for rel, items in json.load(open(sys.argv[1], encoding="utf-8")).items():
    path = os.path.join(sys.argv[2], rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    json.dump(items, open(path, "w", encoding="utf-8"), ensure_ascii=False)
PY
run="$WORK/xss"
"$TRUSTLLM" score --import-trustllm "$fixture" --out "$run" --quiet >"$WORK/score.txt" \
  || fail "score of the XSS fixture failed"
[ -s "$run/report.html" ] || fail "score wrote no report.html"
pass "the XSS fixture is scored and its report written"

# The file: two script elements (the page's data block and its own script), the data block is
# the only place the payloads' words occur, and it gives back every response and prompt exactly.
python3 - "$run" "$fixture" <<'PY' || fail "report.html of the XSS fixture"
import json, os, re, sys
run, fixture = sys.argv[1], sys.argv[2]
html = open(os.path.join(run, "report.html"), encoding="utf-8").read()
assert len(re.findall(r"<script\b", html, re.I)) == 2, "script elements"
assert len(re.findall(r"</script", html, re.I)) == 2, "script end tags"
m = re.search(r'<script type="application/json" id="tlm-samples">(.*?)</script>', html, re.S)
outside = html[:m.start()] + html[m.end():]
# (The hostile label is also a metric id, so its words appear outside, escaped.)
for raw in ["<img", "<svg onload", "<iframe", "<base", "<!--", "<a href=\"javascript", "<style>body",
            "\u2028", "\u2029"]:
    assert raw not in outside, "raw %r outside the data block" % raw
# Parsed as HTML, the page has only its own kinds of elements, no event-handler attribute, no
# script URL and no comment (the payloads' words appear only as escaped text).
from html.parser import HTMLParser
class Page(HTMLParser):
    tags, bad = set(), []
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            if k.startswith("on") or (v or "").strip().lower().startswith("javascript:"):
                self.bad.append((tag, k, v))
    def handle_comment(self, data):
        self.bad.append(("comment", data))
page = Page(convert_charrefs=True)
page.feed(html)
assert not page.bad, page.bad
own = {"html", "head", "meta", "title", "style", "body", "header", "h1", "p", "nav", "a", "main",
       "section", "h2", "h3", "div", "svg", "polygon", "g", "line", "text", "circle", "rect",
       "table", "tr", "th", "td", "span", "label", "select", "option", "input", "button",
       "script", "details", "summary", "pre", "code"}
assert page.tags <= own, page.tags - own
data = m.group(1)
assert "<" not in data and ">" not in data and "&" not in data, "unescaped <, > or & in the data"
samples = json.loads(data)
# Every item of the fixture with its response and prompt, in file order per task.
files = {"jailbreak": "safety/jailbreak.json", "misuse": "safety/misuse.json",
         "stereotype_recognition": "fairness/stereotype_recognition.json"}
for task, f in files.items():
    items = json.load(open(os.path.join(fixture, f), encoding="utf-8"))
    got = [s for s in samples if s["task"] == task]
    assert len(got) == len(items), (task, len(got), len(items))
    for s, it in zip(got, items):
        assert s["response"] == it["res"], (task, s["id"])
        assert s["prompt"] == it["prompt"], (task, s["id"])
# Recorded judge replies reach the records unchanged.
replies = [s["evaluations"][k].get("judge_reply") for s in samples for k in s["evaluations"]]
assert any(r and "onerror=" in r for r in replies), "no hostile judge reply in the records"
# A hostile label became a metric id: shown escaped in the task table.
assert "rta:&lt;img src=x onerror=&quot;window.__pwned=&#39;label&#39;&quot;&gt;" in html
PY
pass "report.html: payloads only inside the escaped data block, texts unchanged"

# Markdown and CSV carry the same hostile metric id as plain text.
"$TRUSTLLM" report "$run" --format md >"$WORK/r.md" || fail "report --format md"
grep -qF "| rta:<img src=x onerror=\"window.__pwned='label'\"> |" "$WORK/r.md" \
  || fail "markdown row of the hostile label"
"$TRUSTLLM" report "$run" --format csv >"$WORK/r.csv" || fail "report --format csv"
python3 - "$WORK/r.csv" <<'PY' || fail "csv of the hostile label"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert ["safety", "jailbreak", "rta:<!-- label"] in [r[:3] for r in rows], "comment label"
assert "rta:<img src=x onerror=\"window.__pwned='label'\">" in [r[2] for r in rows]
PY
pass "markdown and csv keep the hostile label as text"

if ! command -v node >/dev/null 2>&1; then
  echo "skip: node is not installed; the sample browser script was not run"
  exit 0
fi
node "$SRC/tests/e2e/report_dom.js" --outcomes refused,correct,wrong,unparsable,none \
  "$run/report.html" || fail "sample browser in node"
pass "sample browser script (node, text only): paging, every filter, exact texts"

if ! command -v chromium >/dev/null 2>&1; then
  echo "skip: chromium is not installed (Debian package 'chromium'); the browser checks did not run"
  exit 0
fi
shots="$(screenshot_dir report_xss_output)"
node "$SRC/tests/e2e/report_dom.js" --browser --xss --outcomes refused,correct,wrong,unparsable,none \
  --screenshot "$shots/report_xss.png" "$run/report.html" || fail "the XSS page in chromium"
[ -s "$shots/report_xss.png" ] || fail "no screenshot"
pass "chromium: no payload ran or added markup, payloads shown as text, filters work ($shots/report_xss.png)"

# Canaries: the same page with a payload written into its markup must fail the check, once for
# an event handler (which the CSP blocks but the DOM would show) and once for a blocked load
# (which only shows as a console message).
canary() {
  python3 - "$run/report.html" "$WORK/canary.html" "$1" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("<main>", "<main>" + sys.argv[3], 1))
PY
  local rc=0
  node "$SRC/tests/e2e/report_dom.js" --browser --xss "$WORK/canary.html" >"$WORK/canary.out" 2>&1 || rc=$?
  [ "$rc" != 0 ] || fail "canary $1 was not detected"
  grep -qF -- "$2" "$WORK/canary.out" || fail "canary $1: $(cat "$WORK/canary.out")"
}
canary "<img src=x onerror=\"window.__pwned='canary'\">" "event-handler attributes in the DOM: img[onerror]"
canary '<img src="http://127.0.0.1:9/x.png">' "violates the following Content Security Policy"
canary '<a href="javascript:void(0)">x</a>' "script URLs in the DOM"
pass "canaries: a payload in the markup is detected"
