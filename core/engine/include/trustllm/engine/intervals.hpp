// Confidence intervals: the host's half of the bootstrap. Metric plugins return "replicates"
// (their statistic on each seeded resample, see sdk/include/trustllm/bootstrap.hpp); the host
// turns them into "ci95" and keeps the replicates out of summary.json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

namespace trustllm::engine {

// The seed of one metric's bootstrap: derived from the run seed, the task and the metric's key,
// so a fixed run seed gives identical intervals whatever the order of aggregation.
uint64_t bootstrap_seed(uint64_t run_seed, std::string_view task, std::string_view metric_key);

// The 95% percentile interval of `replicates` (numbers, null = undefined on that resample):
// the 2.5th and 97.5th percentiles (linear interpolation between order statistics, numpy's
// default), widened to contain `value`. nullopt when fewer than half of the replicates, or
// fewer than 10, are numbers.
std::optional<std::pair<double, double>> percentile_interval(const nlohmann::json& replicates,
                                                             double value);

// Replaces an entry's "replicates" by "ci95" ([lo, hi]) when the entry is ok with a numeric
// value and the replicates allow an interval; always removes "replicates".
void attach_interval(nlohmann::json& entry);

// Replicates of the unweighted mean of several metrics: element-wise mean of their replicate
// arrays (null where any part is null). Empty (no interval) when a part has no replicates or
// the arrays differ in length.
nlohmann::json mean_of_replicates(const std::vector<const nlohmann::json*>& parts);

}  // namespace trustllm::engine
