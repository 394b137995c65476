// Derived metrics: values the host computes from other metrics of the same task, declared in
// the suite (`derived: [{metric: avg, mean_of: [a, b, c]}]`). The host knows nothing about what
// the metrics mean; it averages the values the plugins reported.
#pragma once

#include <trustllm/engine/suite.hpp>

#include <nlohmann/json.hpp>

namespace trustllm::engine {

// The summary entry of `d` given the entries already reported for the task (summary.json
// entries with "metric", "value", "n", "status"). The value is the unweighted mean of the listed
// metrics in the listed order; n is the sum of their n. When a listed metric is missing or not
// "ok", the entry is "skipped" with a reason naming it. When every part carries bootstrap
// "replicates", the entry carries their element-wise mean (see intervals.hpp).
nlohmann::json derive_metric(const DerivedMetric& d, const nlohmann::json& task_entries,
                             const std::string& dimension, const std::string& task);

}  // namespace trustllm::engine
