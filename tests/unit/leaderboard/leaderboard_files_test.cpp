// Tests of the leaderboard built from run folders written here (summary.json, manifest.json):
// run names, --utility, per-dimension ranks, the overall score, the utility correlation, views
// from the manifest, and the three files with a hostile model name.
#include <trustllm/report/leaderboard.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

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

json metric(const std::string& task, const std::string& id, double value, const std::string& dir) {
  return {{"dimension", "safety"}, {"task", task},     {"metric", id},
          {"value", value},        {"direction", dir}, {"status", "ok"}};
}

void write(const fs::path& file, const json& j) {
  std::ofstream(file) << j.dump(2);
}

// A run folder: summary with the safety metrics a (↑), b (↓), a breakdown a:g and a derived
// mean; manifest naming the model (when `model` is not empty) and optional views.
std::string make_run(const fs::path& dir, const std::string& model, double a, double b,
                     double breakdown, const json& views = json()) {
  fs::create_directories(dir);
  json metrics = {metric("t", "a", a, "higher_is_better"), metric("t", "b", b, "lower_is_better"),
                  metric("t", "a:g", breakdown, "higher_is_better")};
  json derived = metric("t", "avg", (a + 1 - b) / 2, "higher_is_better");
  derived["derived"] = {"a", "b"};
  metrics.push_back(derived);
  write(dir / "summary.json", {{"suite", "s"}, {"model", "summary-name"}, {"metrics", metrics}});
  json manifest = json::object();
  if (!model.empty()) manifest["roles"] = {{"model", {{"identity", {{"model", model}}}}}};
  if (!views.is_null()) manifest["report"] = {{"views", views}};
  write(dir / "manifest.json", manifest);
  return dir.string();
}

std::string slurp(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const json kViews = json::parse(R"([
  {"id": "trade", "title": "A against B", "x": {"task": "t", "metric": "b", "label": "B rate"},
   "y": [{"task": "t", "metric": "a", "label": "A rate"}, {"task": "t", "metric": "missing"}]},
  {"id": "broken", "x": {"task": "t"}, "y": [{"task": "t", "metric": "a"}]},
  {"id": "no_y", "x": {"task": "t", "metric": "a"}, "y": []},
  "not an object"
])");

}  // namespace

TEST_CASE("run names: model of the manifest, made unique with the folder name") {
  TempDir tmp;
  const auto r1 = make_run(tmp.path() / "r1", "m", 0.9, 0.2, 0.1);
  const auto r2 = make_run(tmp.path() / "r2", "m", 0.5, 0.1, 0.2);
  const auto r3 = make_run(tmp.path() / "r3", "", 0.7, 0.3, 0.9);
  auto runs = rep::load_runs({r1, r2, r3});
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].name == "m (r1)");
  CHECK(runs[1].name == "m (r2)");
  CHECK(runs[2].name == "summary-name");  // no model in the manifest
  CHECK(runs[0].given == r1);

  // Same folder name under different parents: the path as given decides.
  const auto a = make_run(tmp.path() / "x" / "run", "m", 0.1, 0.1, 0.1);
  const auto b = make_run(tmp.path() / "y" / "run", "m", 0.2, 0.1, 0.1);
  auto same = rep::load_runs({a, b});
  CHECK(same[0].name == "m (" + a + ")");
  CHECK(same[1].name == "m (" + b + ")");

  CHECK(rep::find_run(runs, r2 + "/") == 1u);
  CHECK_FALSE(rep::find_run(runs, a));
  CHECK_THROWS_AS(rep::load_runs({r1, r1 + "/"}), rep::CompareInputError);
  CHECK_THROWS_AS(rep::load_runs({r1, (tmp.path() / "nope").string()}), rep::RunFolderError);
  fs::create_directories(tmp.path() / "empty");
  CHECK_THROWS_AS(rep::load_runs({r1, (tmp.path() / "empty").string()}), rep::RunFolderError);
  write(tmp.path() / "empty" / "summary.json", json::array({1, 2}));
  CHECK_THROWS_WITH_AS(rep::load_runs({r1, (tmp.path() / "empty").string()}),
                       doctest::Contains("not a run summary"), rep::RunFolderError);
}

TEST_CASE("--utility RUN=SCORE by folder or name; bad specs are input errors") {
  TempDir tmp;
  const auto r1 = make_run(tmp.path() / "r1", "m", 0.9, 0.2, 0.1);
  const auto r2 = make_run(tmp.path() / "r2", "m", 0.5, 0.1, 0.2);
  const auto r3 = make_run(tmp.path() / "r3", "other=x", 0.7, 0.3, 0.9);
  auto runs = rep::load_runs({r1, r2, r3});
  rep::apply_utilities(runs, {r1 + "=0.5", "m (r2)=1e-1", "other=x=-2"});
  CHECK(runs[0].utility == 0.5);
  CHECK(runs[1].utility == 0.1);
  CHECK(runs[2].utility == -2.0);  // the name holds '=': the last '=' separates the score

  auto fresh = rep::load_runs({r1, r2});
  for (const char* bad :
       {"m (r1)", "=0.5", "m (r1)=", "m (r1)=high", "m (r1)=0.5x", "m (r1)=nan", "nobody=0.5"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(rep::apply_utilities(fresh, {bad}), rep::CompareInputError);
  }
  CHECK_THROWS_WITH_AS(rep::apply_utilities(fresh, {"m (r1)=1", r1 + "=2"}),
                       doctest::Contains("already has a utility score"), rep::CompareInputError);
}

TEST_CASE("leaderboard: metric ranks, dimension rank over headline metrics, overall score") {
  TempDir tmp;
  // a (↑): 0.9, 0.5, 0.7 -> ranks 1, 3, 2. b (↓): 0.2, 0.1, 0.3 -> ranks 2, 1, 3.
  // Mean ranks 1.5, 2.0, 2.5. The breakdown a:g would reverse the order if it were counted.
  auto runs = rep::load_runs({make_run(tmp.path() / "r1", "m1", 0.9, 0.2, 0.1),
                              make_run(tmp.path() / "r2", "m2", 0.5, 0.1, 0.2),
                              make_run(tmp.path() / "r3", "m3", 0.7, 0.3, 0.9)});
  const auto b = rep::build_leaderboard(std::move(runs));
  REQUIRE(b.metrics.size() == 4);
  CHECK(b.metrics[0].metric == "a");
  CHECK(b.metrics[0].headline);
  CHECK_FALSE(b.metrics[2].headline);  // a:g
  CHECK_FALSE(b.metrics[3].headline);  // derived avg
  CHECK(b.metrics[0].ranks[0].rank == 1u);
  CHECK(b.metrics[0].ranks[1].rank == 3u);
  CHECK(b.metrics[1].ranks[1].rank == 1u);
  CHECK(b.metrics[2].ranks[2].rank == 1u);

  const auto& dims = b.dimensions;
  REQUIRE(dims.size() == 6);  // the six TrustLLM dimensions, in order
  CHECK(dims[0].dimension == "truthfulness");
  CHECK_FALSE(dims[0].rank[0].rank);  // no metrics
  const auto& safety = dims[1];
  CHECK(safety.dimension == "safety");
  CHECK(safety.mean_rank[0] == 1.5);
  CHECK(safety.mean_rank[1] == 2.0);
  CHECK(safety.mean_rank[2] == 2.5);
  CHECK(safety.ranked_metrics[0] == 2u);
  CHECK(safety.rank[0].rank == 1u);
  CHECK(safety.rank[1].rank == 2u);
  CHECK(safety.rank[2].rank == 3u);

  // Overall = mean of dimension scores; only safety has one: (a + 1 - b) / 2.
  CHECK(*b.overall[0] == doctest::Approx(0.85));
  CHECK(*b.overall[1] == doctest::Approx(0.7));
  CHECK(*b.overall[2] == doctest::Approx(0.7));
  CHECK(b.overall_rank[0].rank == 1u);
  CHECK(b.overall_rank[1].rank == 2u);
  CHECK(b.overall_rank[2].rank == 2u);
  CHECK(b.overall_rank[1].tied_with == std::vector<size_t>{2});
  CHECK(b.correlation.note.find("at least 3 runs") != std::string::npos);
  CHECK_FALSE(b.correlation.pearson);
}

TEST_CASE("dimension rank: a metric ranked for one model only does not count") {
  TempDir tmp;
  const auto r1 = make_run(tmp.path() / "r1", "m1", 0.9, 0.2, 0.1);
  const auto r2 = make_run(tmp.path() / "r2", "m2", 0.5, 0.1, 0.2);
  // r2 alone has t.extra, where it would be #1.
  json s = json::parse(slurp(fs::path(r2) / "summary.json"));
  s["metrics"].push_back(metric("t", "extra", 1.0, "higher_is_better"));
  write(fs::path(r2) / "summary.json", s);
  const auto b = rep::build_leaderboard(rep::load_runs({r1, r2}));
  const auto& safety = b.dimensions[1];
  CHECK(safety.ranked_metrics[1] == 2u);
  CHECK(safety.mean_rank[0] == 1.5);  // a #1, b #2
  CHECK(safety.mean_rank[1] == 1.5);  // a #2, b #1
  CHECK(safety.rank[0].rank == 1u);
  CHECK(safety.rank[1].rank == 1u);
  CHECK(safety.rank[0].tied_with == std::vector<size_t>{1});
}

TEST_CASE("utility correlation with three runs; views from the first manifest that has them") {
  TempDir tmp;
  auto runs = rep::load_runs({make_run(tmp.path() / "r1", "m1", 0.9, 0.2, 0.1),
                              make_run(tmp.path() / "r2", "m2", 0.5, 0.1, 0.2, kViews),
                              make_run(tmp.path() / "r3", "m3", 0.7, 0.3, 0.9)});
  rep::apply_utilities(runs, {"m1=0.9", "m2=0.1", "m3=0.5"});
  const auto b = rep::build_leaderboard(std::move(runs));
  // trust 0.85, 0.7, 0.7 against utility 0.9, 0.1, 0.5: r = 0.06 / sqrt(0.015 * 0.32);
  // ranks 3, 1.5, 1.5 against 3, 1, 2: rho = 1.5 / sqrt(1.5 * 2).
  CHECK(b.correlation.n == 3u);
  CHECK(b.correlation.note.empty());
  CHECK(*b.correlation.pearson == doctest::Approx(0.06 / std::sqrt(0.015 * 0.32)));
  CHECK(*b.correlation.spearman == doctest::Approx(1.5 / std::sqrt(3.0)));

  REQUIRE(b.views.size() == 1);  // the malformed ones are left out
  CHECK(b.views_source == "m2");
  CHECK(b.views[0].id == "trade");
  CHECK(b.views[0].x.label == "B rate");
  REQUIRE(b.views[0].y.size() == 2);
  CHECK(b.views[0].y[1].label == "t.missing");  // default label
  CHECK(rep::find_metric(b, b.views[0].y[0]) == &b.metrics[0]);
  CHECK(rep::find_metric(b, b.views[0].y[1]) == nullptr);

  std::ostringstream html, md, csv;
  rep::write_leaderboard_html(b, html);
  rep::write_leaderboard_markdown(b, md);
  rep::write_leaderboard_csv(b, csv);
  CHECK(html.str().find("<svg class=\"scatter\" data-view=\"trade\" data-y=\"t.a\"") !=
        std::string::npos);
  CHECK(html.str().find("<g class=\"point\" data-model=\"m1\">") != std::string::npos);
  CHECK(html.str().find("no value for: m1, m2, m3") != std::string::npos);  // t.missing
  CHECK(md.str().find("### A against B\n\n| model | B rate | A rate | t.missing |") !=
        std::string::npos);
  CHECK(md.str().find("| m1 | 0.2000 #2 | 0.9000 #1 | — |") != std::string::npos);
  CHECK(md.str().find("Pearson r = 0.8660, Spearman ρ = 0.8660") != std::string::npos);
  CHECK(
      csv.str().find("view:trade,safety,t,b,lower_is_better,x: B rate,,0.2,2,,0.1,1,,0.3,3,\r\n") !=
      std::string::npos);
  CHECK(csv.str().find("metric,safety,t,a,higher_is_better,,,0.9,1,,0.5,3,,0.7,2,\r\n") !=
        std::string::npos);
}

TEST_CASE("a hostile model name is text in the HTML, quoted in CSV, escaped in Markdown") {
  TempDir tmp;
  const std::string evil =
      "</script><script>alert(1)</script><img src=x onerror=alert(2)>|\"a,b\"\n<!--";
  auto runs = rep::load_runs({make_run(tmp.path() / "r1", evil, 0.9, 0.2, 0.1, kViews),
                              make_run(tmp.path() / "r2", "m2", 0.9, 0.1, 0.2)});
  const auto b = rep::build_leaderboard(std::move(runs));
  const auto files = rep::write_leaderboard_files(b, tmp.path() / "out" / "lb");
  REQUIRE(files.size() == 3);
  const std::string html = slurp(files[0]), md = slurp(files[1]), csv = slurp(files[2]);

  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<!--") == std::string::npos);
  CHECK(html.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x "
                  "onerror=alert(2)&gt;|&quot;a,b&quot;") != std::string::npos);
  // One <script> element: the JSON data block, which the name cannot end.
  const std::string tag = "<script type=\"application/json\" id=\"tlm-leaderboard\">";
  const auto open = html.find(tag);
  REQUIRE(open != std::string::npos);
  CHECK(html.find("<script", open + 1) == std::string::npos);
  const auto close = html.find("</script>", open);
  CHECK(html.find("</script>", close + 1) == std::string::npos);
  const json data = json::parse(html.substr(open + tag.size(), close - open - tag.size()));
  CHECK(data["runs"][0]["name"] == evil);
  // The CSP allows no script and only the page's own style.
  CHECK(html.find("default-src 'none'; script-src 'none'; style-src 'sha256-") !=
        std::string::npos);

  CHECK(csv.find(",\"</script><script>alert(1)</script><img src=x onerror=alert(2)>|\"\"a,b\"\"\n"
                 "<!--\",") != std::string::npos);
  CHECK(md.find("\\|\"a,b\" <!--") != std::string::npos);  // pipe escaped, line break flattened
  CHECK(md.find(evil) == std::string::npos);
}
