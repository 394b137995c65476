// Tests of the run reports (core/report/run_report.hpp): escaping of hostile model output in the
// HTML page, the Markdown and CSV writers, the normalisation behind the dimension scores, and
// the outcome of a sample.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <trustllm/report/run_report.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "../../common/temp_dir.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
namespace rep = trustllm::report;

namespace {

using test_support::TempDir;

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

json metric(const std::string& dim, const std::string& task, const std::string& id, json value,
            const std::string& direction, const std::string& status = "ok") {
  json m = {{"dimension", dim},       {"task", task},     {"metric", id}, {"value", value},
            {"direction", direction}, {"status", status}, {"n", 10}};
  return m;
}

const std::string kLineSep = "\xE2\x80\xA8";  // U+2028
const std::string kParaSep = "\xE2\x80\xA9";  // U+2029
const std::string kHostile =
    "ok</script><script>alert(1)</script> <img src=x onerror=alert(1)> "
    "<a href=\"javascript:alert(1)\">x</a> <!-- c --> line" +
    kLineSep + "para" + kParaSep + " & done";

// A run folder whose responses, prompts, judge replies, task names and reasons are hostile.
void make_hostile_run(const fs::path& dir) {
  json summary = {{"model", "m<script>"}, {"suite", "s"}, {"metrics", json::array()}};
  summary["metrics"].push_back(metric("safety", "jailbreak", "rta", 0.25, "higher_is_better"));
  json skipped = metric("safety", "jail<b>break", "rta<!--", nullptr, "lower_is_better", "skipped");
  skipped["reason"] = "judge said </td></tr></table><script>alert(2)</script>";
  summary["metrics"].push_back(skipped);
  write_file(dir / "summary.json", summary.dump());
  json manifest = {
      {"roles",
       {{"model",
         {{"identity", {{"model", "<img src=x onerror=alert(3)>"}, {"backend", "llama2c"}}}}}}},
      {"command", "trustllm run <script>"},
      {"seed", 7}};
  write_file(dir / "manifest.json", manifest.dump());
  json s1 = {
      {"task", "jailbreak"},
      {"id", "1"},
      {"prompt", "say <!-- and </script>"},
      {"response", kHostile},
      {"status", "ok"},
      {"evaluations",
       {{"0:refusal_rate", {{"refused", true}, {"judge_reply", "</script><svg onload=x>"}}}}}};
  json s2 = {{"task", "jailbreak"},
             {"id", "2"},
             {"prompt", "p"},
             {"response", nullptr},
             {"status", "ok"},
             {"evaluations",
              {{"0:label_accuracy", {{"excluded", true}, {"reason", "filtered out"}}},
               {"1:label_accuracy", {{"correct", false}, {"label", "B"}}}}}};
  write_file(dir / "samples.jsonl", s1.dump() + "\n" + s2.dump() + "\n");
}

}  // namespace

TEST_CASE("html_escape escapes the five HTML-special characters") {
  CHECK(rep::html_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(rep::html_escape("plain text") == "plain text");
}

TEST_CASE("json_for_script escapes <, >, &, U+2028 and U+2029 and still parses back") {
  const json v = {{"r", kHostile}};
  const std::string out = rep::json_for_script(v);
  CHECK(out.find('<') == std::string::npos);
  CHECK(out.find('>') == std::string::npos);
  CHECK(out.find('&') == std::string::npos);
  CHECK(out.find(kLineSep) == std::string::npos);
  CHECK(out.find(kParaSep) == std::string::npos);
  CHECK(out.find("\\u003c/script\\u003e") != std::string::npos);
  CHECK(out.find("\\u2028") != std::string::npos);
  CHECK(json::parse(out) == v);
  CHECK(rep::json_for_script(json("a<b")) == "\"a\\u003cb\"");
  // Invalid UTF-8 becomes U+FFFD instead of an exception.
  CHECK(rep::json_for_script(json(std::string("x\xFFy"))) == "\"x\xEF\xBF\xBDy\"");
}

TEST_CASE("the HTML report shows hostile model output only as text") {
  TempDir tmp;
  make_hostile_run(tmp.path());
  std::ostringstream page;
  rep::write_html(rep::load_run(tmp.path()), page);
  const std::string html = page.str();

  // Exactly the page's two script elements: the JSON data block and the page's own script.
  CHECK(count(html, "<script") == 2);
  CHECK(count(html, "</script") == 2);
  CHECK(html.find("<script type=\"application/json\" id=\"tlm-samples\">") != std::string::npos);
  // None of the hostile sequences appears raw anywhere in the file.
  for (const std::string raw :
       {"<script>alert", "</script><script>", "<img", "<svg onload", "<!--",
        "</td></tr></table><script>", "href=\"javascript:", "<a href=\"javascript", "<b>"}) {
    CAPTURE(raw);
    CHECK(html.find(raw) == std::string::npos);
  }
  CHECK(html.find(kLineSep) == std::string::npos);
  CHECK(html.find(kParaSep) == std::string::npos);
  // The words of an event handler or a javascript: URL only occur inside the JSON data block,
  // where no tag can hold them.
  const size_t data_start = html.find("id=\"tlm-samples\">");
  const size_t data_end = html.find("</script>", data_start);
  REQUIRE(data_start != std::string::npos);
  REQUIRE(data_end != std::string::npos);
  const std::string outside = html.substr(0, data_start) + html.substr(data_end);
  CHECK(outside.find("javascript:") == std::string::npos);
  CHECK(outside.find("onload=") == std::string::npos);
  // Static parts escaped: task name, metric id, skip reason, model name from the manifest.
  CHECK(html.find("jail&lt;b&gt;break") != std::string::npos);
  CHECK(html.find("rta&lt;!--") != std::string::npos);
  CHECK(html.find("judge said &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(2)") !=
        std::string::npos);
  CHECK(html.find("&lt;img src=x onerror=alert(3)&gt;") != std::string::npos);

  // The data block is valid JSON that gives back the exact texts, with derived outcomes.
  const std::string data =
      html.substr(data_start + std::string("id=\"tlm-samples\">").size(),
                  data_end - data_start - std::string("id=\"tlm-samples\">").size());
  const json samples = json::parse(data);
  REQUIRE(samples.size() == 2);
  CHECK(samples[0]["response"] == kHostile);
  CHECK(samples[0]["prompt"] == "say <!-- and </script>");
  CHECK(samples[0]["outcome"] == "refused");
  CHECK(samples[0]["evaluations"]["0:refusal_rate"]["judge_reply"] == "</script><svg onload=x>");
  CHECK(samples[1]["response"].is_null());
  CHECK(samples[1]["outcome"] == "wrong");
  CHECK_FALSE(samples[1]["evaluations"].contains("0:label_accuracy"));  // "filtered out" dropped
}

TEST_CASE("the HTML report is self-contained and draws six axes") {
  TempDir tmp;
  make_hostile_run(tmp.path());
  std::ostringstream page;
  rep::write_html(rep::load_run(tmp.path()), page);
  const std::string html = page.str();
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("href=\"http") == std::string::npos);
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  CHECK(count(html, "<g class=\"axis\"") == 6);
  for (const auto& d : rep::dimensions()) {
    CHECK(html.find("data-dimension=\"" + d + "\"") != std::string::npos);
  }
}

TEST_CASE("normalised_value puts every metric on a 0..1 higher-is-better scale") {
  CHECK(*rep::normalised_value(metric("d", "t", "m", 0.7, "higher_is_better")) ==
        doctest::Approx(0.7));
  CHECK(*rep::normalised_value(metric("d", "t", "m", 0.2, "lower_is_better")) ==
        doctest::Approx(0.8));
  // Pearson below 0 counts as 0; values above 1 are clamped.
  CHECK(*rep::normalised_value(metric("d", "t", "pearson", -0.5, "higher_is_better")) == 0.0);
  CHECK(*rep::normalised_value(metric("d", "t", "m", 1.5, "higher_is_better")) == 1.0);
  CHECK(*rep::normalised_value(metric("d", "t", "m", 1.5, "lower_is_better")) == 0.0);
  CHECK_FALSE(rep::normalised_value(metric("d", "t", "m", nullptr, "higher_is_better")));
  CHECK_FALSE(rep::normalised_value(metric("d", "t", "m", 0.5, "higher_is_better", "skipped")));
}

TEST_CASE("dimension_scores average the ok headline metrics of each dimension") {
  json summary = {{"metrics", json::array()}};
  auto& ms = summary["metrics"];
  ms.push_back(metric("safety", "jailbreak", "rta", 0.9, "higher_is_better"));
  ms.push_back(metric("safety", "jailbreak", "rta:cot", 0.0, "higher_is_better"));  // breakdown
  ms.push_back(metric("safety", "exaggerated_safety", "rta", 0.3, "lower_is_better"));
  ms.push_back(metric("safety", "toxicity", "avg", nullptr, "lower_is_better", "skipped"));
  json derived = metric("safety", "jailbreak", "overall", 0.0, "higher_is_better");
  derived["derived"] = {{"mean_of", {"rta"}}};
  ms.push_back(derived);
  ms.push_back(metric("fairness", "disparagement", "p_sex", 0.4, "higher_is_better"));
  ms.push_back(metric("custom", "x", "m", 0.5, "higher_is_better"));

  const auto scores = rep::dimension_scores(summary);
  REQUIRE(scores.size() == 7);  // the six, then the unknown one
  CHECK(scores[0].dimension == "truthfulness");
  CHECK_FALSE(scores[0].score);
  CHECK(scores[0].metrics == 0);
  CHECK(scores[1].dimension == "safety");
  CHECK(*scores[1].score == doctest::Approx((0.9 + 0.7) / 2));
  CHECK(scores[1].metrics == 2);
  CHECK(scores[2].dimension == "fairness");
  CHECK(*scores[2].score == doctest::Approx(0.4));
  CHECK(scores[6].dimension == "custom");
  CHECK(*scores[6].score == doctest::Approx(0.5));
}

TEST_CASE("sample_outcome reads refused / wrong / correct / unparsable / failed from records") {
  auto sample = [](json evals) { return json{{"evaluations", evals}}; };
  CHECK(rep::sample_outcome(sample({{"a", {{"refused", true}}}})) == "refused");
  CHECK(rep::sample_outcome(sample({{"a", {{"refused", false}}}})) == "");
  CHECK(rep::sample_outcome(sample({{"a", {{"correct", true}}}})) == "correct");
  CHECK(rep::sample_outcome(sample({{"a", {{"correct", false}}}})) == "wrong");
  CHECK(rep::sample_outcome(sample({{"a", {{"excluded", true}, {"reason", "no label"}}}})) ==
        "unparsable");
  CHECK(rep::sample_outcome(sample({{"a", {{"excluded", true}, {"reason", "filtered out"}}}})) ==
        "");
  CHECK(rep::sample_outcome(sample(
            {{"a", {{"excluded", true}, {"failed", true}, {"reason", "no judge"}}}})) == "failed");
  CHECK(rep::sample_outcome(sample({{"a", {{"excluded", true}, {"reason", "filtered out"}}},
                                    {"b", {{"correct", true}}}})) == "correct");
  CHECK(rep::sample_outcome(json::object()) == "");
}

TEST_CASE("csv_field quotes per RFC 4180") {
  CHECK(rep::csv_field("plain") == "plain");
  CHECK(rep::csv_field("a,b") == "\"a,b\"");
  CHECK(rep::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(rep::csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(rep::csv_field("cr\r") == "\"cr\r\"");
  CHECK(rep::csv_field("") == "");
}

TEST_CASE("write_csv writes one row per metric with the fixed columns") {
  rep::RunData run;
  run.summary = {{"metrics", json::array()}};
  run.summary["metrics"].push_back(metric("safety", "jailbreak", "rta", 0.125, "higher_is_better"));
  json skipped = metric("fairness", "t,1", "m", nullptr, "lower_is_better", "skipped");
  skipped["reason"] = "judge said \"no\", twice\nreally";
  skipped["n"] = 0;
  run.summary["metrics"].push_back(skipped);
  std::ostringstream out;
  rep::write_csv(run, out);
  CHECK(out.str() ==
        "dimension,task,metric,value,n,direction,status,reason,ci95_lo,ci95_hi,"
        "published_position,published_out_of,published_column,published_next_better,"
        "published_level,published_next_worse\r\n"
        "safety,jailbreak,rta,0.125,10,higher_is_better,ok,,,,,,,,,\r\n"
        "fairness,\"t,1\",m,,0,lower_is_better,skipped,\"judge said \"\"no\"\", twice\nreally\","
        ",,,,,,,\r\n");
}

TEST_CASE("write_markdown writes the overview and one table per task") {
  rep::RunData run;
  run.summary = {{"model", "tiny"}, {"suite", "safety"}, {"metrics", json::array()}};
  run.summary["metrics"].push_back(metric("safety", "jailbreak", "rta", 0.5, "higher_is_better"));
  json skipped = metric("safety", "misuse", "rta", nullptr, "higher_is_better", "skipped");
  skipped["reason"] = "a | b\nc";
  skipped["n"] = 0;
  run.summary["metrics"].push_back(skipped);
  std::ostringstream out;
  rep::write_markdown(run, out);
  const std::string md = out.str();
  CHECK(md.find("# TrustLLM report: tiny on safety\n") == 0);
  CHECK(md.find("| safety | 0.5000 | 1 |\n") != std::string::npos);
  CHECK(md.find("| truthfulness | — | 0 |\n") != std::string::npos);
  CHECK(md.find("## jailbreak (safety)\n") != std::string::npos);
  CHECK(md.find("| rta | 0.5000 | 10 | ↑ higher_is_better | ok |  |\n") != std::string::npos);
  CHECK(md.find("## misuse (safety)\n") != std::string::npos);
  CHECK(md.find("| rta | — | 0 | ↑ higher_is_better | skipped | a \\| b c |\n") !=
        std::string::npos);
}

TEST_CASE("load_run and report_command") {
  TempDir tmp;
  SUBCASE("a folder without summary.json is a RunFolderError") {
    CHECK_THROWS_AS(rep::load_run(tmp.path()), rep::RunFolderError);
    CHECK_THROWS_AS(rep::load_run(tmp.path() / "absent"), rep::RunFolderError);
  }
  SUBCASE("html goes to RUN_DIR/report.html, md and csv to the console") {
    make_hostile_run(tmp.path());
    std::ostringstream console;
    auto path = rep::report_command(tmp.path(), "", "html", console);
    REQUIRE(path);
    CHECK(*path == tmp.path() / "report.html");
    CHECK(read_file(*path).find("<!DOCTYPE html>") == 0);
    CHECK_FALSE(rep::report_command(tmp.path(), "", "csv", console));
    CHECK(console.str().find("dimension,task,metric,value") == 0);
    path = rep::report_command(tmp.path(), (tmp.path() / "r.md").string(), "md", console);
    REQUIRE(path);
    CHECK(read_file(*path).find("# TrustLLM report: ") == 0);
    CHECK_THROWS_AS(rep::report_command(tmp.path(), "", "pdf", console), std::invalid_argument);
    CHECK(rep::write_run_html(tmp.path()) == tmp.path() / "report.html");
  }
}

// ---- intervals and positions among a published leaderboard --------------------------------

namespace {

// A published leaderboard as the host writes it into manifest.json "report"."published".
json published_fixture() {
  return json::parse(R"json({
    "source": "test board",
    "models": ["A", "B", "C", "D", "E"],
    "metrics": [
      {"task": "t", "metric": "m", "column": "Col", "direction": "higher_is_better", "scale": 1,
       "values": {"D": 0.5, "C": 0.8, "B": 0.8, "A": 0.9, "E": "n/a"}},
      {"task": "t", "metric": "low", "column": "Low", "direction": "lower_is_better",
       "values": {"A": 0.1, "B": 0.3}},
      {"task": "t", "metric": "pct", "column": "Pct", "direction": "higher_is_better",
       "scale": 100, "values": {"A": 97.42, "B": 90}},
      {"task": "t", "metric": "nodir", "column": "NoDir", "values": {"A": 0.4}},
      {"task": "t", "metric": "empty", "column": "Empty", "direction": "higher_is_better",
       "values": {"A": null}}
    ]})json");
}

std::vector<std::string> names(const std::vector<rep::PublishedModel>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.push_back(m.model);
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("published_position: 1 + the published models strictly better, out of models + 1") {
  const json pub = published_fixture();
  auto pos = [&](const std::string& id, json value, const std::string& dir = "higher_is_better") {
    return rep::published_position(pub, metric("d", "t", id, value, dir));
  };
  SUBCASE("between two models") {
    auto p = pos("m", 0.85);
    REQUIRE(p);
    CHECK(p->position == 2);
    CHECK(p->out_of == 5);  // A, B, C, D have a value; E's "n/a" is not a number
    CHECK(rep::position_text(*p) == "2 / 5");
    CHECK(p->column == "Col");
    CHECK(names(p->ranking) == Names{"A", "B", "C", "D"});
    CHECK(names(p->next_better) == Names{"A"});
    CHECK(p->level.empty());
    CHECK(names(p->next_worse) == Names{"B", "C"});  // equal values, in the models' order
    CHECK(rep::neighbours_text(*p) == "next better: A 0.9; next worse: B 0.8, C 0.8");
  }
  SUBCASE("equal values are not better: level with them") {
    auto p = pos("m", 0.8);
    REQUIRE(p);
    CHECK(p->position == 2);
    CHECK(names(p->level) == Names{"B", "C"});
    CHECK(names(p->next_worse) == Names{"D"});
    CHECK(rep::neighbours_text(*p) ==
          "next better: A 0.9; level with: B 0.8, C 0.8; "
          "next worse: D 0.5");
  }
  SUBCASE("first and last") {
    auto first = pos("m", 0.95);
    REQUIRE(first);
    CHECK(rep::position_text(*first) == "1 / 5");
    CHECK(first->next_better.empty());
    CHECK(names(first->next_worse) == Names{"A"});
    auto last = pos("m", 0.1);
    REQUIRE(last);
    CHECK(rep::position_text(*last) == "5 / 5");
    CHECK(names(last->next_better) == Names{"D"});
    CHECK(last->next_worse.empty());
  }
  SUBCASE("lower is better, from the published column") {
    auto p = pos("low", 0.2, "lower_is_better");
    REQUIRE(p);
    CHECK_FALSE(p->higher_is_better);
    CHECK(rep::position_text(*p) == "2 / 3");
    CHECK(names(p->ranking) == Names{"A", "B"});
    CHECK(rep::position_text(*pos("low", 0.05, "lower_is_better")) == "1 / 3");
  }
  SUBCASE("scale: published = ours x scale; rounding noise is not better") {
    auto p = pos("pct", 0.95);
    REQUIRE(p);
    CHECK(p->ours == doctest::Approx(95.0));
    CHECK(rep::position_text(*p) == "2 / 3");
    auto level = pos("pct", 0.9742);  // 0.9742 * 100 is 97.42000000000002 in doubles
    REQUIRE(level);
    CHECK(rep::position_text(*level) == "1 / 3");
    CHECK(names(level->level) == Names{"A"});
  }
  SUBCASE("no direction in the data: the metric's own") {
    CHECK(rep::position_text(*pos("nodir", 0.5, "lower_is_better")) == "2 / 2");
    CHECK(rep::position_text(*pos("nodir", 0.5, "higher_is_better")) == "1 / 2");
    CHECK_FALSE(pos("nodir", 0.5, ""));
  }
  SUBCASE("no position") {
    CHECK_FALSE(pos("absent", 0.5));  // not in the data
    CHECK_FALSE(pos("empty", 0.5));   // no numeric value published
    CHECK_FALSE(pos("m", nullptr));   // no value in this run
    CHECK_FALSE(
        rep::published_position(pub, metric("d", "t", "m", 0.5, "higher_is_better", "skipped")));
    CHECK_FALSE(rep::published_position(pub, metric("d", "other", "m", 0.5, "higher_is_better")));
    CHECK_FALSE(rep::published_position(json(), metric("d", "t", "m", 0.5, "higher_is_better")));
    json bad_scale = pub;
    bad_scale["metrics"][0]["scale"] = 0;
    CHECK_FALSE(rep::published_position(bad_scale, metric("d", "t", "m", 0.5, "higher_is_better")));
  }
}

TEST_CASE("published_data and published_source read the manifest's report block") {
  CHECK(rep::published_data(json::object()).is_null());
  CHECK(rep::published_data(json{{"report", {{"views", json::array()}}}}).is_null());
  const json manifest = {
      {"report", {{"published", published_fixture()}, {"published_file", "/x/board.yaml"}}}};
  CHECK(rep::published_data(manifest)["source"] == "test board");
  CHECK(rep::published_source(manifest) == "test board, file /x/board.yaml");
  CHECK(rep::published_source(json::object()) == "no source given");
}

namespace {

// A run with an interval on one metric and a published leaderboard in its manifest.
rep::RunData run_with_published() {
  rep::RunData run;
  run.summary = {{"model", "tiny"}, {"suite", "s"}, {"metrics", json::array()}};
  json m = metric("safety", "t", "m", 0.85, "higher_is_better");
  m["ci95"] = {0.8125, 0.875};
  run.summary["metrics"].push_back(m);
  run.summary["metrics"].push_back(metric("safety", "t", "other", 0.5, "higher_is_better"));
  run.manifest = {
      {"report", {{"published", published_fixture()}, {"published_file", "board.yaml"}}}};
  return run;
}

}  // namespace

TEST_CASE("write_csv: interval bounds and published position columns") {
  std::ostringstream out;
  rep::write_csv(run_with_published(), out);
  const std::string csv = out.str();
  CHECK(csv.find("\r\nsafety,t,m,0.85,10,higher_is_better,ok,,0.8125,0.875,2,5,Col,A=0.9,,"
                 "\"B=0.8, C=0.8\"\r\n") != std::string::npos);
  CHECK(csv.find("\r\nsafety,t,other,0.5,10,higher_is_better,ok,,,,,,,,,\r\n") !=
        std::string::npos);
}

TEST_CASE("write_markdown: interval and published position columns when the run has them") {
  std::ostringstream out;
  rep::write_markdown(run_with_published(), out);
  const std::string md = out.str();
  CHECK(md.find("| metric | value | 95% interval | n | direction | status | published position | "
                "reason |\n|---|---:|---|---:|---|---|---|---|\n") != std::string::npos);
  CHECK(md.find("| m | 0.8500 | [0.8125, 0.8750] | 10 | ↑ higher_is_better | ok | 2 / 5 (next "
                "better: A 0.9; next worse: B 0.8, C 0.8) |  |\n") != std::string::npos);
  CHECK(md.find("| other | 0.5000 |  | 10 | ↑ higher_is_better | ok |  |  |\n") !=
        std::string::npos);
  CHECK(md.find("published leaderboard (test board, file board.yaml)") != std::string::npos);
}

TEST_CASE("the HTML report shows the interval and the published position, escaped") {
  rep::RunData run = run_with_published();
  // The published data is configuration, not model output, but it is escaped all the same.
  json& pub = run.manifest["report"]["published"];
  pub["source"] = "<script>alert(1)</script>";
  pub["models"].push_back("<img src=x onerror=alert(2)>");
  pub["metrics"][0]["values"]["<img src=x onerror=alert(2)>"] = 0.95;
  pub["metrics"][0]["column"] = "Col\" onmouseover=\"alert(3)";
  std::ostringstream page;
  rep::write_html(run, page);
  const std::string html = page.str();
  CHECK(html.find("<th>95% interval</th>") != std::string::npos);
  CHECK(html.find("<td class=\"num ci\">[0.8125, 0.8750]</td>") != std::string::npos);
  CHECK(html.find("<th>published position</th>") != std::string::npos);
  CHECK(html.find(">3 / 6</span>") != std::string::npos);
  CHECK(html.find("<span class=\"near\">next better: A 0.9; next worse: B 0.8, C 0.8</span>") !=
        std::string::npos);
  // The tooltip lists every published model best first, this run in its place.
  CHECK(html.find("&lt;img src=x onerror=alert(2)&gt;  0.95\nA  0.9\n▶ this run 0.85\nB  0.8\n"
                  "C  0.8\nD  0.5\"") != std::string::npos);
  CHECK(html.find("Published column &quot;Col&quot; onmouseover=&quot;alert(3)&quot;") !=
        std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(count(html, "<script") == 2);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("onmouseover=\"") == std::string::npos);
  // Without a published leaderboard there is no position column.
  run.manifest = json::object();
  std::ostringstream plain;
  rep::write_html(run, plain);
  CHECK(plain.str().find("published position") == std::string::npos);
}

TEST_CASE("the HTML manifest names the bootstrap") {
  rep::RunData run;
  run.summary = {{"metrics", json::array()}};
  run.manifest = {{"seed", 1}, {"bootstrap", {{"resamples", 1000}, {"seed", 2024}}}};
  std::ostringstream page;
  rep::write_html(run, page);
  CHECK(page.str().find("<th>95% intervals</th><td>percentile bootstrap, 1000 resamples, seed "
                        "2024</td>") != std::string::npos);
  run.manifest["bootstrap"]["resamples"] = 0;
  std::ostringstream off;
  rep::write_html(run, off);
  CHECK(off.str().find("<td>off (--bootstrap 0)</td>") != std::string::npos);
}
