// The run engine: streams dataset items, asks the model for each (bounded concurrency, cache,
// retries), evaluates every sample with the task's metrics, stores everything in the run
// database as it goes, then aggregates and writes the output folder.
#pragma once

#include <trustllm/engine/suite.hpp>
#include <trustllm/plugin/registry.hpp>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace trustllm::engine {

struct RunOptions {
  fs::path out_dir;
  std::optional<uint64_t> limit;  // --limit: at most N items per task
  unsigned jobs = 8;              // --jobs
  bool resume = false;            // --resume: keep finished samples of an earlier run
  bool quiet = false;             // no progress, no table
  std::optional<fs::path> cache_file;  // --cache: a response cache shared between runs
  bool skip_missing_datasets = false;  // tasks whose data file is absent are left out
  bool rescore = false;           // re-evaluate stored samples without generating
  uint32_t bootstrap_resamples = 1000;  // --bootstrap: resamples for ci95 (0 = no intervals)
  std::string command_line;
  // How the suite was loaded ({"set": [...], "roles": {role: file}}), kept in the manifest so
  // that `trustllm score RUN_DIR` re-scores with the same configuration.
  nlohmann::json suite_args = nlohmann::json::object();
};

struct RunResult {
  int exit_code = 0;  // 0 ok, 1 failures, 130 interrupted
  nlohmann::json summary;
  // A fresh run's sample-browser records, rendered while it generated (a hidden file in the
  // output folder, report::RunData::sample_block_file): the caller passes it to
  // report::write_run_html and removes it. Empty when the run did not stream its outputs.
  fs::path sample_block;
};

// The cancel flag is set by the caller's signal handler (Ctrl-C).
RunResult run_suite(const Suite& suite, plugin::Registry& registry, const RunOptions& options,
                    const std::atomic<bool>& cancel);

// Exit codes of the CLI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 2;
inline constexpr int kExitInterrupted = 130;

}  // namespace trustllm::engine
