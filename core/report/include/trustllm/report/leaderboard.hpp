// Leaderboards of several finished runs (`trustllm compare`, docs/reports.md "Leaderboards"):
// each model's value and rank on every metric, ties where the 95% intervals overlap, a rank per
// dimension, an overall trustworthiness score, the views of the suite's manifest ("report"
// "views", drawn as scatter plots) and the correlation of trustworthiness with a utility score
// given per run. Also the baseline gate: a candidate may not drop more than a given amount below a
// baseline run on any metric. Written as leaderboard.html (self-contained), .md and .csv.
//
// Nothing here knows particular tasks or metrics: everything comes from summary.json and
// manifest.json.
#pragma once

#include <trustllm/report/run_report.hpp>

#include <array>
#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace trustllm::report {

// A wrong input of `trustllm compare` (bad --utility, a run given twice, ...): the CLI turns it
// into a configuration error (exit code 2). One line, with the fix.
struct CompareInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- ranking --------------------------------------------------------------------------------

// One model's result on one metric: a value when the metric is ok with a finite number, and its
// 95% interval when summary.json has one.
struct RankCell {
  std::optional<double> value;
  std::optional<std::array<double, 2>> ci95;
};

// A metric entry of summary.json as a RankCell (no value unless status ok and a finite number;
// ci95 only when it is a pair of numbers).
RankCell rank_cell(const nlohmann::json& metric);

// Two results tie when their intervals overlap; a result without an interval is the point
// [value, value], so without intervals only exactly equal values tie. Cells without a value
// never tie.
bool tied(const RankCell& a, const RankCell& b);

struct Rank {
  std::optional<size_t> rank;     // 1 = best; nullopt when the cell has no value
  std::vector<size_t> tied_with;  // indices of the other cells it ties with
};

// Competition ranking, direction-aware: a cell's rank is 1 + the number of cells with a value
// that are strictly better AND not tied with it.
std::vector<Rank> rank_cells(const std::vector<RankCell>& cells, bool higher_is_better);

// Ranks by plain values where only (nearly, 1e-9) equal values tie: for mean ranks and overall
// scores, which have no intervals.
std::vector<Rank> rank_values(const std::vector<std::optional<double>>& values,
                              bool higher_is_better);

// ---- correlation ----------------------------------------------------------------------------

// Pearson's r of two equally long series; nullopt when fewer than 2 pairs or a series is
// constant.
std::optional<double> pearson(const std::vector<double>& x, const std::vector<double>& y);

// 1-based ranks with ties given the mean of the ranks they span ({10, 20, 20} -> {1, 2.5, 2.5}).
std::vector<double> average_ranks(const std::vector<double>& values);

// Spearman's rho: Pearson's r of the average ranks.
std::optional<double> spearman(const std::vector<double>& x, const std::vector<double>& y);

// ---- baseline gate --------------------------------------------------------------------------

struct GateFailure {
  std::string task, metric;
  double value = 0, baseline = 0;
};

struct BaselineCheck {
  size_t compared = 0;  // metrics both summaries have with status ok and a value
  std::vector<GateFailure> failures;
};

// Compares a candidate's summary with the baseline's on every metric both have with status ok
// and a value: higher_is_better fails when value < baseline - max_drop, lower_is_better when
// value > baseline + max_drop (1e-12 of slack for rounding). Metrics without a direction are
// not compared.
BaselineCheck check_baseline(const nlohmann::json& baseline, const nlohmann::json& candidate,
                             double max_drop);

// "gate failed: <run>: <task>.<metric> <value> vs baseline <value> (max drop X)".
std::string gate_failure_line(const std::string& run, const GateFailure& f, double max_drop);

// A number as the shortest text that reads back as the same double ("0.85", "1e-05").
std::string exact_number(double v);

// ---- the leaderboard ------------------------------------------------------------------------

struct LeaderboardRun {
  std::string given;  // the folder as given on the command line
  std::string name;   // display name, unique among the runs
  RunData data;
  std::optional<double> utility;
};

// Loads the run folders (load_run) and names them: the model of the manifest (else summary
// "model", else the folder name); runs that share a name get " (<folder name>)" appended, then
// the path as given. Throws RunFolderError for a folder that is not a run, CompareInputError
// when the same folder is given twice.
std::vector<LeaderboardRun> load_runs(const std::vector<std::string>& dirs);

// Applies "RUN=SCORE" specs (RUN: the folder as given or the display name). Throws
// CompareInputError for bad syntax, an unknown run or a run given two scores.
void apply_utilities(std::vector<LeaderboardRun>& runs, const std::vector<std::string>& specs);

// The run whose folder is `dir` (same file on disk), or nullopt.
std::optional<size_t> find_run(const std::vector<LeaderboardRun>& runs, const std::string& dir);

struct MetricRow {
  std::string dimension, task, metric, direction;
  bool headline = false;        // counts_in_overview: used by the dimension ranks
  std::vector<RankCell> cells;  // one per run
  std::vector<Rank> ranks;      // one per run; empty ranks when the direction is unknown
};

struct DimensionRow {
  std::string dimension;
  std::vector<std::optional<double>> score;      // dimension_scores, per run
  std::vector<std::optional<double>> mean_rank;  // mean of the run's ranks on the metrics below
  std::vector<size_t> ranked_metrics;            // how many metrics the mean is over, per run
  std::vector<Rank> rank;                        // by mean_rank, lower is better
};

struct ViewAxis {
  std::string task, metric, label;
};

struct View {
  std::string id, title;
  ViewAxis x;
  std::vector<ViewAxis> y;
};

struct Correlation {
  size_t n = 0;  // runs with both a utility and an overall score
  std::optional<double> pearson, spearman;
  std::string note;  // why it was not computed (empty when it was)
};

struct Leaderboard {
  std::vector<LeaderboardRun> runs;
  std::vector<MetricRow> metrics;  // every task.metric of any run, in order of first appearance
  std::vector<DimensionRow> dimensions;
  std::vector<std::optional<double>> overall;  // mean of the run's dimension scores
  std::vector<Rank> overall_rank;
  std::vector<View> views;   // from the first run whose manifest has report.views
  std::string views_source;  // that run's name
  Correlation correlation;
};

// The views of a manifest's "report"."views" (malformed entries are left out).
std::vector<View> parse_views(const nlohmann::json& manifest);

// Minimum number of runs with a utility score for the correlation.
inline constexpr size_t kMinUtilityRuns = 3;

Leaderboard build_leaderboard(std::vector<LeaderboardRun> runs);

// The metric row a view's axis names, or nullptr when no run has that metric.
const MetricRow* find_metric(const Leaderboard& board, const ViewAxis& axis);

void write_leaderboard_html(const Leaderboard& board, std::ostream& out);
void write_leaderboard_markdown(const Leaderboard& board, std::ostream& out);
void write_leaderboard_csv(const Leaderboard& board, std::ostream& out);

// Writes DIR/leaderboard.html, .md and .csv (each atomically; DIR is created) and returns their
// paths.
std::vector<std::filesystem::path> write_leaderboard_files(const Leaderboard& board,
                                                           const std::filesystem::path& dir);

}  // namespace trustllm::report
