// Release gates: thresholds on summary metrics (`--fail-under TASK.METRIC=MIN`,
// `--fail-under TASK.METRIC<=MAX`, or a suite's `gates:` list). A run whose gates fail exits
// with code 3 and one line per failed gate, for CI pipelines.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace trustllm::engine {

struct Gate {
  enum class Op { at_least, at_most };
  std::string task;
  std::string metric;  // may contain ':' (e.g. rta:leetspeak)
  Op op = Op::at_least;
  double threshold = 0;
  std::string text;  // as written
};

// Parses "task.metric=0.9" / "task.metric>=0.9" (at least) or "task.metric<=0.1" (at most).
// Throws config::ConfigError naming `origin` (e.g. "--fail-under" or "suite.yaml: gates[0]").
Gate parse_gate(const std::string& text, const std::string& origin);

// One line per failed gate (empty when all pass). A metric that is missing, skipped or has no
// value fails its gate.
std::vector<std::string> failed_gates(const std::vector<Gate>& gates,
                                      const nlohmann::json& summary);

}  // namespace trustllm::engine
