// Pieces shared by the leaderboard writers (leaderboard_html.cpp, leaderboard_text.cpp): cell
// texts and the rules printed under every leaderboard. Internal to core/report.
#pragma once

#include <trustllm/report/leaderboard.hpp>
#include <trustllm/report/outputs.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace trustllm::report::detail {

// A value for people: 4 decimals, "—" when absent.
inline std::string value_text(const std::optional<double>& v) {
  return format_value(v ? nlohmann::json(*v) : nlohmann::json());
}

// "#2" or "" when unranked.
inline std::string rank_text(const Rank& r) {
  return r.rank ? "#" + std::to_string(*r.rank) : std::string();
}

// The display names of the runs a rank is tied with, joined by `sep`.
inline std::string tied_names(const Leaderboard& b, const Rank& r, const std::string& sep) {
  std::string out;
  for (size_t i : r.tied_with) out += (out.empty() ? "" : sep) + b.runs[i].name;
  return out;
}

// The suite named in a run's summary.json, "" when there is none.
inline std::string suite_of(const LeaderboardRun& run) {
  const auto it = run.data.summary.find("suite");
  return it != run.data.summary.end() && it->is_string() ? it->get<std::string>() : "";
}

// The runs' indices, best overall rank first (input order among equals; unranked last).
inline std::vector<size_t> rank_order(const Leaderboard& b) {
  std::vector<size_t> order(b.runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return b.overall_rank[x].rank.value_or(SIZE_MAX) < b.overall_rank[y].rank.value_or(SIZE_MAX);
  });
  return order;
}

// The text of the utility correlation, e.g. "Pearson r = 0.8123, Spearman ρ = 1.0000 over 3 runs".
inline std::string correlation_text(const Correlation& c) {
  if (!c.note.empty()) return c.note;
  return "Pearson r = " + value_text(c.pearson) + ", Spearman ρ = " + value_text(c.spearman) +
         " between the trustworthiness score and the utility score, over " + std::to_string(c.n) +
         " runs";
}

// How the leaderboard is computed, one sentence per rule (shown in every format).
inline const std::vector<std::string>& rules() {
  static const std::vector<std::string> kRules = {
      "Metric rank: competition ranking in the metric's direction (↑ higher is better, ↓ lower "
      "is better); a model's rank is 1 + the number of models strictly better and not tied "
      "with it. Only metrics with status ok and a number are ranked.",
      "Ties (≈): two models tie on a metric when their 95% intervals (ci95 in summary.json) "
      "overlap; a value without an interval counts as the single point, so without intervals "
      "only exactly equal values tie. Tied models do not push each other down, so several "
      "models can share a rank.",
      "Dimension rank: models ranked by the mean of their metric ranks (lower is better) over "
      "the dimension's headline metrics (no per-group breakdowns, no derived means) on which at "
      "least two models are ranked; equal means tie.",
      "Trustworthiness: the mean of the model's six dimension scores (each the mean of its "
      "headline metrics on a 0–1 scale where higher is better, as in the run report); ranked "
      "higher is better, equal scores tie.",
      "Utility correlation: Pearson r and Spearman ρ (Pearson of average ranks) between the "
      "trustworthiness score and the --utility score, computed when at least 3 runs have both.",
  };
  return kRules;
}

}  // namespace trustllm::report::detail
