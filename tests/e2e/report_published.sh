#!/usr/bin/env bash
# The published leaderboard data (configs/leaderboard/trustllm-website.yaml) against a real run:
# the parity tree imported with a suite whose `report: published:` names the file. Checks that
# every task and metric the file names exists in the import's summary.json with the file's
# direction (a renamed metric or a flipped direction fails here), that the host copied the file
# into manifest.json, that the positions in the CSV, Markdown and HTML reports follow the rule
# (1 + published models strictly better, out of published models + 1; computed again here),
# that the 95% intervals reach every format, and that the sample browser's filters work on a run
# with every outcome (refused, correct, wrong, unparsable), in node and, when installed, chromium.
. "$(dirname "$0")/lib.sh"
need_parity

board="$SRC/configs/leaderboard/trustllm-website.yaml"
cat >"$WORK/suite.yaml" <<EOF
include: $SRC/configs/trustllm/all.yaml
suite: trustllm-all-published
report:
  published: $board
EOF
run="$WORK/parity"
"$TRUSTLLM" score --import-trustllm "$TRUSTLLM_PARITY_DIR" --suite "$WORK/suite.yaml" --out "$run" \
  --quiet >/dev/null || fail "import of the parity tree failed"

python3 - "$run" "$board" <<'PY' || fail "published leaderboard data against the parity import"
import json, os, sys
run, board = sys.argv[1], sys.argv[2]
summary = json.load(open(os.path.join(run, "summary.json")))["metrics"]
report = json.load(open(os.path.join(run, "manifest.json")))["report"]
assert report["published_file"] == os.path.normpath(board), report["published_file"]
pub = report["published"]
ours = {(m["task"], m["metric"]): m for m in summary}
assert len(pub["models"]) == 21 and len(set(pub["models"])) == 21, pub["models"]
assert pub["source"], "no source"
missing, flipped = [], []
for e in pub["metrics"]:
    key = (e["task"], e["metric"])
    if key not in ours:
        missing.append("%s.%s (%s)" % (key + (e["column"],)))
    elif ours[key]["direction"] != e["direction"]:
        flipped.append("%s.%s: file %s, ours %s" % (key + (e["direction"], ours[key]["direction"])))
    assert e["column"] and e["scale"] in (1, 100), e
    assert set(e["values"]) <= set(pub["models"]), set(e["values"]) - set(pub["models"])
    assert all(isinstance(v, (int, float)) for v in e["values"].values()), e["column"]
assert not missing, "metrics of the leaderboard file missing from summary.json: %s" % missing
assert not flipped, "directions differ: %s" % flipped
assert len(pub["metrics"]) == 31, len(pub["metrics"])
assert len({(e["task"], e["metric"]) for e in pub["metrics"]}) == 31, "an entry twice"
# Spot checks of the transcription (spec §9): a cell of each table, the scale, n/a cells.
cell = {(e["column"], m): v for e in pub["metrics"] for m, v in e["values"].items()}
assert cell[("Internal", "GPT-4")] == 0.417
assert cell[("Exaggerated Safety", "Llama2-13b")] == 0.55
assert cell[("Prefereence RtA", "ERNIE")] == 0.904
assert cell[("AdvInstruction", "Llama2-70b")] == 97.64
assert cell[("Privacy Awareness Correlation", "Oasst-12b")] == -0.161
assert cell[("Emotional Acc", "Mixtral")] == 0.91
assert ("Toxicity", "GLM4") not in cell and ("Emotional Acc", "Llama3-8b") not in cell
print("published data: %d metrics, %d values, all in summary.json with their direction"
      % (len(pub["metrics"]), len(cell)))
PY
pass "every metric of the leaderboard file exists in the import with the same direction"

"$TRUSTLLM" report "$run" --format csv >"$WORK/r.csv" || fail "report --format csv"
"$TRUSTLLM" report "$run" --format md >"$WORK/r.md" || fail "report --format md"
python3 - "$run" "$WORK/r.csv" "$WORK/r.md" <<'PY' || fail "positions and intervals in the reports"
import csv, html as htmllib, json, os, re, sys
run, csv_file, md_file = sys.argv[1:4]
summary = json.load(open(os.path.join(run, "summary.json")))["metrics"]
pub = json.load(open(os.path.join(run, "manifest.json")))["report"]["published"]
page = open(os.path.join(run, "report.html"), encoding="utf-8").read()
md = open(md_file, encoding="utf-8").read()
rows = list(csv.DictReader(open(csv_file, newline="", encoding="utf-8")))
assert len(rows) == len(summary)

def position(m):
    e = next((e for e in pub["metrics"] if (e["task"], e["metric"]) == (m["task"], m["metric"])), None)
    if e is None or m["status"] != "ok" or m["value"] is None:
        return None
    v = m["value"] * e.get("scale", 1)
    hib = e["direction"] == "higher_is_better"
    same = lambda a, b: abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    better = [x for x in e["values"].values() if not same(x, v) and (x > v if hib else x < v)]
    return 1 + len(better), len(e["values"]) + 1

positions = intervals = 0
for m, r in zip(summary, rows):
    assert (r["task"], r["metric"]) == (m["task"], m["metric"])
    p = position(m)
    if p is None:
        assert r["published_position"] == "" and r["published_out_of"] == "", r
    else:
        positions += 1
        assert (int(r["published_position"]), int(r["published_out_of"])) == p, (r, p)
        assert r["published_column"], r
        assert r["published_next_better"] or r["published_next_worse"], r
        text = "%d / %d" % p
        # Markdown: the row of this metric in its task's table.
        assert re.search(r"^## %s \(" % re.escape(m["task"]), md, re.M), m["task"]
        assert "| %s | " % m["metric"] in md and " | %s (next " % text in md, (m["metric"], text)
        assert ">%s</span>" % text in page, text
    ci = m.get("ci95")
    if ci:
        intervals += 1
        assert float(r["ci95_lo"]) == ci[0] and float(r["ci95_hi"]) == ci[1], r
    else:
        assert r["ci95_lo"] == r["ci95_hi"] == "", r
# The parity import has values for every published column except the ones needing an embedder
# (persona sycophancy, AdvInstruction) and the toxicity scorer keeps its recorded scores.
assert positions >= 28, positions
assert intervals > 0, "no metric with an interval"
assert "<th>95% interval</th>" in page and "| 95% interval |" in md
assert "<th>published position</th>" in page and 'id="published-note"' in page
assert "percentile bootstrap, 1000 resamples" in page
print("positions: %d metrics, intervals: %d metrics" % (positions, intervals))
PY
pass "published positions follow the rule in csv, md and html; intervals in every format"

if ! command -v node >/dev/null 2>&1; then
  echo "skip: node is not installed; the sample browser script was not run"
  exit 0
fi
node "$SRC/tests/e2e/report_dom.js" --outcomes refused,correct,wrong,unparsable,none \
  "$run/report.html" || fail "sample browser in node"
pass "sample browser (node): every task, every outcome, search, exact texts"
if ! command -v chromium >/dev/null 2>&1; then
  echo "skip: chromium is not installed (Debian package 'chromium'); the browser checks did not run"
  exit 0
fi
node "$SRC/tests/e2e/report_dom.js" --browser --outcomes refused,correct,wrong,unparsable,none \
  "$run/report.html" || fail "sample browser in chromium"
pass "sample browser (chromium): no console message, every task, every outcome, search"
