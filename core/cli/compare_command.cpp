// `trustllm compare RUN_DIR... --out DIR [--utility RUN=SCORE]... [--baseline DIR --max-drop X]`:
// the leaderboard of several finished runs (leaderboard.html, .md, .csv; docs/reports.md
// "Leaderboards"), and optionally a release gate of every candidate run against a baseline run.
//
// Exit codes: 0 written (and the baseline gate passed), 2 a wrong input (one line with the fix),
// 3 the baseline gate failed (one line per metric that dropped too far; the files are written
// first), 1 anything else (e.g. the output folder cannot be written).
#include <trustllm/engine/runner.hpp>
#include <trustllm/report/leaderboard.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include "commands.hpp"

namespace trustllm::cli {

namespace {

namespace rep = trustllm::report;

constexpr int kExitGateFailed = 3;  // as for `run --fail-under` (docs/cli.md)

struct CompareArgs {
  std::vector<std::string> runs;
  std::string out;
  std::vector<std::string> utility;
  std::string baseline;
  std::optional<double> max_drop;
};

void check_flags(const CompareArgs& a) {
  if (a.max_drop && a.baseline.empty()) {
    throw rep::CompareInputError(
        "--max-drop needs --baseline DIR (the run every other run is compared with)");
  }
  if (!a.baseline.empty() && !a.max_drop) {
    throw rep::CompareInputError(
        "--baseline needs --max-drop X: the largest drop allowed on "
        "any metric, e.g. --max-drop 0.02 (0: no drop at all)");
  }
  if (a.max_drop && (!std::isfinite(*a.max_drop) || *a.max_drop < 0)) {
    throw rep::CompareInputError("--max-drop " + rep::exact_number(*a.max_drop) +
                                 ": give a number >= 0, e.g. --max-drop 0.02");
  }
}

// The runs of the leaderboard: RUN_DIR... plus the baseline when it is not one of them (first).
// Returns the runs and the baseline's index.
std::pair<std::vector<rep::LeaderboardRun>, std::optional<size_t>> load(const CompareArgs& a) {
  std::vector<std::string> dirs = a.runs;
  std::vector<rep::LeaderboardRun> runs = rep::load_runs(dirs);
  std::optional<size_t> base;
  if (!a.baseline.empty()) {
    base = rep::find_run(runs, a.baseline);
    if (!base) {
      dirs.insert(dirs.begin(), a.baseline);
      runs = rep::load_runs(dirs);
      base = 0;
    }
  }
  if (runs.size() < 2) {
    throw rep::CompareInputError("compare needs at least two run folders (" +
                                 std::to_string(runs.size()) +
                                 " given) — e.g. trustllm compare runs/a runs/b --out leaderboard");
  }
  return {std::move(runs), base};
}

// Checks every candidate against the baseline; one line per failure on stderr.
int baseline_gate(const rep::Leaderboard& board, size_t base, double max_drop) {
  const auto& baseline = board.runs[base];
  size_t failures = 0, compared = 0;
  for (size_t i = 0; i < board.runs.size(); ++i) {
    if (i == base) continue;
    const auto check =
        rep::check_baseline(baseline.data.summary, board.runs[i].data.summary, max_drop);
    compared += check.compared;
    if (check.compared == 0) {
      std::fprintf(stderr,
                   "warning: %s has no metric with status ok in common with the baseline %s\n",
                   board.runs[i].name.c_str(), baseline.name.c_str());
    }
    for (const auto& f : check.failures) {
      std::fprintf(stderr, "%s\n", rep::gate_failure_line(board.runs[i].name, f, max_drop).c_str());
    }
    failures += check.failures.size();
  }
  if (failures > 0) return kExitGateFailed;
  std::fprintf(stderr,
               "baseline gate: passed — %zu candidate(s), %zu metric comparisons, none dropped "
               "more than %s below %s\n",
               board.runs.size() - 1, compared, rep::exact_number(max_drop).c_str(),
               baseline.name.c_str());
  return engine::kExitOk;
}

int compare(const CompareArgs& a) {
  check_flags(a);
  auto [runs, base] = load(a);
  rep::apply_utilities(runs, a.utility);
  const rep::Leaderboard board = rep::build_leaderboard(std::move(runs));
  for (const auto& path : rep::write_leaderboard_files(board, a.out)) {
    std::printf("leaderboard: %s\n", path.string().c_str());
  }
  const auto& c = board.correlation;
  if (c.note.empty()) {
    std::printf("utility correlation: pearson %s, spearman %s (%zu runs)\n",
                rep::exact_number(*c.pearson).c_str(), rep::exact_number(*c.spearman).c_str(), c.n);
  } else if (!a.utility.empty()) {
    std::printf("utility correlation: %s\n", c.note.c_str());
  }
  std::fflush(stdout);
  return base ? baseline_gate(board, *base, *a.max_drop) : engine::kExitOk;
}

int guarded_compare(const CompareArgs& a) {
  try {
    return compare(a);
  } catch (const rep::RunFolderError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitConfig;
  } catch (const rep::CompareInputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitConfig;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return engine::kExitFailure;
  }
}

}  // namespace

void register_compare(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "compare",
      "leaderboard of several finished runs (HTML, Markdown, CSV), optional baseline gate");
  auto a = std::make_shared<CompareArgs>();
  cmd->add_option("run_dirs", a->runs,
                  "two or more finished run folders (the --out of run or score)");
  cmd->add_option("--out", a->out, "folder for leaderboard.html, leaderboard.md, leaderboard.csv")
      ->required();
  cmd->add_option("--utility", a->utility,
                  "utility score of a run, repeatable: RUN=SCORE (RUN: the folder as given or the "
                  "model name); with 3 or more, the correlation with trustworthiness is reported")
      ->allow_extra_args(false);  // one RUN=SCORE per --utility: RUN_DIRs may follow
  cmd->add_option("--baseline", a->baseline,
                  "baseline run folder: every other run must not drop more than --max-drop below "
                  "it on any metric (exit code 3)");
  cmd->add_option("--max-drop", a->max_drop,
                  "largest allowed drop per metric in its direction, e.g. 0.02 (with --baseline)");
  cmd->callback([&ctx, a] { ctx.exit_code = guarded_compare(*a); });
}

}  // namespace trustllm::cli
