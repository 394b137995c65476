// The leaderboard's data (docs/reports.md "Leaderboards"): loading and naming the runs, ranks with
// ties from the 95% intervals, per-dimension ranks, the overall trustworthiness score, the
// correlation with a utility score, and the baseline gate. The writers are in
// leaderboard_html.cpp and leaderboard_text.cpp.
#include <trustllm/report/leaderboard.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace trustllm::report {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> finite_number(const json& j) {
  if (!j.is_number()) return std::nullopt;
  const double v = j.get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

// The lowest and highest value a cell may take: its interval widened to include the value.
std::array<double, 2> bounds(const RankCell& c) {
  const double v = *c.value;
  if (!c.ci95) return {v, v};
  return {std::min((*c.ci95)[0], v), std::max((*c.ci95)[1], v)};
}

bool nearly_equal(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

std::string model_of(const RunData& run) {
  const json& roles =
      run.manifest.is_object() && run.manifest.contains("roles") ? run.manifest["roles"] : json();
  if (roles.is_object() && roles.contains("model")) {
    const json& model = roles["model"];
    if (model.is_object() && model.contains("identity")) {
      const std::string name = str(model["identity"], "model");
      if (!name.empty()) return name;
    }
  }
  return str(run.summary, "model");
}

std::string folder_name(const std::string& given) {
  fs::path p = fs::path(given).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  const std::string name = p.filename().string();
  return name.empty() || name == "." || name == ".." ? given : name;
}

bool same_folder(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

// Renames each run whose name two or more runs share to `base[i] + " (" + suffix(i) + ")"`.
template <typename Suffix>
void disambiguate(std::vector<LeaderboardRun>& runs, const std::vector<std::string>& base,
                  Suffix suffix) {
  std::map<std::string, size_t> count;
  for (const auto& r : runs) ++count[r.name];
  for (size_t i = 0; i < runs.size(); ++i) {
    if (count[runs[i].name] > 1) runs[i].name = base[i] + " (" + suffix(i) + ")";
  }
}

std::string key_of(const std::string& task, const std::string& metric) {
  return task + '\x1f' + metric;
}

// The rows of every task.metric of every run, in order of first appearance.
std::vector<MetricRow> metric_rows(const std::vector<LeaderboardRun>& runs) {
  std::vector<MetricRow> rows;
  std::map<std::string, size_t> index;
  for (size_t r = 0; r < runs.size(); ++r) {
    const json& metrics = runs[r].data.summary.value("metrics", json::array());
    if (!metrics.is_array()) continue;
    for (const auto& m : metrics) {
      if (!m.is_object()) continue;
      const std::string key = key_of(str(m, "task"), str(m, "metric"));
      auto [it, added] = index.emplace(key, rows.size());
      if (added) {
        MetricRow row;
        row.dimension = str(m, "dimension");
        row.task = str(m, "task");
        row.metric = str(m, "metric");
        row.headline = counts_in_overview(m);
        row.cells.resize(runs.size());
        rows.push_back(std::move(row));
      }
      MetricRow& row = rows[it->second];
      if (row.direction.empty()) row.direction = str(m, "direction");
      if (row.dimension.empty()) row.dimension = str(m, "dimension");
      row.cells[r] = rank_cell(m);
    }
  }
  for (auto& row : rows) {
    if (row.direction == "higher_is_better" || row.direction == "lower_is_better") {
      row.ranks = rank_cells(row.cells, row.direction == "higher_is_better");
    } else {
      row.ranks.assign(runs.size(), Rank{});
    }
  }
  return rows;
}

size_t ranked_count(const MetricRow& row) {
  return static_cast<size_t>(
      std::count_if(row.ranks.begin(), row.ranks.end(), [](const Rank& r) { return r.rank; }));
}

std::vector<DimensionRow> dimension_rows(const std::vector<LeaderboardRun>& runs,
                                         const std::vector<MetricRow>& metrics) {
  const size_t n = runs.size();
  std::vector<DimensionRow> rows;
  auto row_of = [&](const std::string& dim) -> DimensionRow& {
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const DimensionRow& d) { return d.dimension == dim; });
    if (it != rows.end()) return *it;
    DimensionRow d;
    d.dimension = dim;
    d.score.resize(n);
    d.mean_rank.resize(n);
    d.ranked_metrics.resize(n);
    rows.push_back(std::move(d));
    return rows.back();
  };
  for (size_t r = 0; r < n; ++r) {
    for (const auto& s : dimension_scores(runs[r].data.summary))
      row_of(s.dimension).score[r] = s.score;
  }
  for (const auto& m : metrics) {
    if (m.dimension.empty()) continue;
    row_of(m.dimension);  // a dimension of a metric without dimension score still gets a row
  }
  for (auto& d : rows) {
    std::vector<double> sums(n, 0.0);
    for (const auto& m : metrics) {
      // Only headline metrics on which at least two models are ranked say anything about order.
      if (m.dimension != d.dimension || !m.headline || ranked_count(m) < 2) continue;
      for (size_t r = 0; r < n; ++r) {
        if (!m.ranks[r].rank) continue;
        sums[r] += static_cast<double>(*m.ranks[r].rank);
        ++d.ranked_metrics[r];
      }
    }
    for (size_t r = 0; r < n; ++r) {
      if (d.ranked_metrics[r] > 0) {
        d.mean_rank[r] = sums[r] / static_cast<double>(d.ranked_metrics[r]);
      }
    }
    d.rank = rank_values(d.mean_rank, false);
  }
  return rows;
}

Correlation correlate(const std::vector<LeaderboardRun>& runs,
                      const std::vector<std::optional<double>>& overall) {
  Correlation c;
  std::vector<double> trust, utility;
  size_t given = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].utility) continue;
    ++given;
    if (!overall[r]) continue;
    trust.push_back(*overall[r]);
    utility.push_back(*runs[r].utility);
  }
  c.n = trust.size();
  if (given < kMinUtilityRuns) {
    c.note = "not computed: a correlation needs a utility score for at least " +
             std::to_string(kMinUtilityRuns) + " runs (--utility RUN=SCORE), " +
             std::to_string(given) + (given == 1 ? " was" : " were") + " given";
    return c;
  }
  if (c.n < kMinUtilityRuns) {
    c.note = "not computed: only " + std::to_string(c.n) + " of the " + std::to_string(given) +
             " runs with a utility score have a trustworthiness score (at least " +
             std::to_string(kMinUtilityRuns) + " needed)";
    return c;
  }
  c.pearson = pearson(trust, utility);
  c.spearman = spearman(trust, utility);
  if (!c.pearson || !c.spearman) {
    c.note = "not computed: the trustworthiness scores or the utility scores are all equal";
  }
  return c;
}

}  // namespace

// ---- ranking --------------------------------------------------------------------------------

RankCell rank_cell(const json& metric) {
  RankCell c;
  if (str(metric, "status") != "ok") return c;
  c.value = finite_number(metric.value("value", json()));
  if (!c.value) return c;
  const json ci = metric.value("ci95", json());
  if (ci.is_array() && ci.size() == 2) {
    auto lo = finite_number(ci[0]), hi = finite_number(ci[1]);
    if (lo && hi && *lo <= *hi) c.ci95 = std::array<double, 2>{*lo, *hi};
  }
  return c;
}

bool tied(const RankCell& a, const RankCell& b) {
  if (!a.value || !b.value) return false;
  const auto ba = bounds(a), bb = bounds(b);
  return ba[0] <= bb[1] && bb[0] <= ba[1];
}

std::vector<Rank> rank_cells(const std::vector<RankCell>& cells, bool higher_is_better) {
  std::vector<Rank> ranks(cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i].value) continue;
    size_t better = 0;
    for (size_t j = 0; j < cells.size(); ++j) {
      if (j == i || !cells[j].value) continue;
      if (tied(cells[i], cells[j])) {
        ranks[i].tied_with.push_back(j);
        continue;
      }
      const double vi = *cells[i].value, vj = *cells[j].value;
      if (higher_is_better ? vj > vi : vj < vi) ++better;
    }
    ranks[i].rank = 1 + better;
  }
  return ranks;
}

std::vector<Rank> rank_values(const std::vector<std::optional<double>>& values,
                              bool higher_is_better) {
  std::vector<Rank> ranks(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    size_t better = 0;
    for (size_t j = 0; j < values.size(); ++j) {
      if (j == i || !values[j]) continue;
      if (nearly_equal(*values[i], *values[j])) {
        ranks[i].tied_with.push_back(j);
      } else if (higher_is_better ? *values[j] > *values[i] : *values[j] < *values[i]) {
        ++better;
      }
    }
    ranks[i].rank = 1 + better;
  }
  return ranks;
}

// ---- correlation ----------------------------------------------------------------------------

std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2 || y.size() != n) return std::nullopt;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 (0-based) share the mean of the 1-based ranks start+1..end.
    const double mean = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (size_t k = start; k < end; ++k) ranks[order[k]] = mean;
    start = end;
  }
  return ranks;
}

std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) return std::nullopt;
  return pearson(average_ranks(x), average_ranks(y));
}

// ---- baseline gate --------------------------------------------------------------------------

BaselineCheck check_baseline(const json& baseline, const json& candidate, double max_drop) {
  constexpr double kSlack = 1e-12;
  const json cand_metrics = candidate.value("metrics", json::array());
  std::map<std::string, const json*> cand;
  for (const auto& m : cand_metrics) {
    if (m.is_object()) cand.emplace(key_of(str(m, "task"), str(m, "metric")), &m);
  }
  BaselineCheck check;
  for (const auto& b : baseline.value("metrics", json::array())) {
    if (!b.is_object()) continue;
    const std::string dir = str(b, "direction");
    if (dir != "higher_is_better" && dir != "lower_is_better") continue;
    auto it = cand.find(key_of(str(b, "task"), str(b, "metric")));
    if (it == cand.end()) continue;
    const RankCell base = rank_cell(b), now = rank_cell(*it->second);
    if (!base.value || !now.value) continue;
    ++check.compared;
    const double drop =
        dir == "higher_is_better" ? *base.value - *now.value : *now.value - *base.value;
    if (drop > max_drop + kSlack) {
      check.failures.push_back({str(b, "task"), str(b, "metric"), *now.value, *base.value});
    }
  }
  return check;
}

std::string exact_number(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string gate_failure_line(const std::string& run, const GateFailure& f, double max_drop) {
  return "gate failed: " + run + ": " + f.task + "." + f.metric + " " + exact_number(f.value) +
         " vs baseline " + exact_number(f.baseline) + " (max drop " + exact_number(max_drop) + ")";
}

// ---- runs -----------------------------------------------------------------------------------

std::vector<LeaderboardRun> load_runs(const std::vector<std::string>& dirs) {
  std::vector<LeaderboardRun> runs;
  for (const auto& dir : dirs) {
    for (const auto& r : runs) {
      if (same_folder(r.given, dir)) {
        throw CompareInputError(dir + ": this run is given twice (also as " + r.given +
                                ") — give each run folder once");
      }
    }
    LeaderboardRun run;
    run.given = dir;
    run.data = load_run(dir);
    const json& summary = run.data.summary;
    if (!summary.is_object() || !summary.contains("metrics") || !summary["metrics"].is_array()) {
      throw RunFolderError((fs::path(dir) / "summary.json").string() +
                           ": not a run summary (an object with \"metrics\": [...]) — give "
                           "the --out folder of trustllm run or score");
    }
    run.name = model_of(run.data);
    if (run.name.empty()) run.name = folder_name(dir);
    runs.push_back(std::move(run));
  }
  std::vector<std::string> base;
  for (const auto& r : runs) base.push_back(r.name);
  disambiguate(runs, base, [&](size_t i) { return folder_name(runs[i].given); });
  disambiguate(runs, base, [&](size_t i) { return runs[i].given; });
  return runs;
}

std::optional<size_t> find_run(const std::vector<LeaderboardRun>& runs, const std::string& dir) {
  for (size_t i = 0; i < runs.size(); ++i) {
    if (same_folder(runs[i].given, dir)) return i;
  }
  return std::nullopt;
}

void apply_utilities(std::vector<LeaderboardRun>& runs, const std::vector<std::string>& specs) {
  for (const auto& spec : specs) {
    const size_t eq = spec.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      throw CompareInputError("--utility " + spec +
                              ": expected RUN=SCORE, e.g. --utility runs/a=0.71 (RUN: a run "
                              "folder as given or its model name)");
    }
    const std::string who = spec.substr(0, eq), number = spec.substr(eq + 1);
    double score = 0;
    size_t used = 0;
    try {
      score = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != number.size() || !std::isfinite(score)) {
      throw CompareInputError("--utility " + spec + ": the score '" + number +
                              "' is not a number — write e.g. " + who + "=0.71");
    }
    std::optional<size_t> match;
    for (size_t i = 0; i < runs.size() && !match; ++i) {
      if (runs[i].given == who || runs[i].name == who) match = i;
    }
    if (!match) match = find_run(runs, who);
    if (!match) {
      std::string names;
      for (const auto& r : runs) names += (names.empty() ? "" : ", ") + r.name;
      throw CompareInputError(
          "--utility " + spec + ": '" + who +
          "' is none of the runs — use a run folder as given or one of: " + names);
    }
    if (runs[*match].utility) {
      throw CompareInputError("--utility " + spec + ": " + runs[*match].name +
                              " already has a utility score — give one per run");
    }
    runs[*match].utility = score;
  }
}

// ---- the leaderboard ------------------------------------------------------------------------

std::vector<View> parse_views(const json& manifest) {
  std::vector<View> views;
  if (!manifest.is_object() || !manifest.contains("report")) return views;
  const json& report = manifest["report"];
  if (!report.is_object() || !report.contains("views") || !report["views"].is_array()) {
    return views;
  }
  auto axis = [](const json& a) -> std::optional<ViewAxis> {
    if (!a.is_object() || str(a, "task").empty() || str(a, "metric").empty()) return std::nullopt;
    ViewAxis ax{str(a, "task"), str(a, "metric"), str(a, "label")};
    if (ax.label.empty()) ax.label = ax.task + "." + ax.metric;
    return ax;
  };
  for (const auto& v : report["views"]) {
    if (!v.is_object() || str(v, "id").empty()) continue;
    auto x = axis(v.value("x", json()));
    if (!x) continue;
    View view{str(v, "id"), str(v, "title"), *x, {}};
    if (view.title.empty()) view.title = view.id;
    for (const auto& y : v.value("y", json::array())) {
      if (auto ay = axis(y)) view.y.push_back(*ay);
    }
    if (!view.y.empty()) views.push_back(std::move(view));
  }
  return views;
}

const MetricRow* find_metric(const Leaderboard& board, const ViewAxis& axis) {
  for (const auto& m : board.metrics) {
    if (m.task == axis.task && m.metric == axis.metric) return &m;
  }
  return nullptr;
}

Leaderboard build_leaderboard(std::vector<LeaderboardRun> runs) {
  Leaderboard b;
  b.runs = std::move(runs);
  b.metrics = metric_rows(b.runs);
  b.dimensions = dimension_rows(b.runs, b.metrics);
  for (const auto& run : b.runs) {
    double sum = 0;
    size_t count = 0;
    for (const auto& d : dimension_scores(run.data.summary)) {
      if (!d.score) continue;
      sum += *d.score;
      ++count;
    }
    b.overall.push_back(count ? std::optional<double>(sum / static_cast<double>(count))
                              : std::nullopt);
  }
  b.overall_rank = rank_values(b.overall, true);
  for (const auto& run : b.runs) {
    b.views = parse_views(run.data.manifest);
    if (!b.views.empty()) {
      b.views_source = run.name;
      break;
    }
  }
  b.correlation = correlate(b.runs, b.overall);
  return b;
}

}  // namespace trustllm::report
