// A suite as the engine sees it: tasks, the plugins they use with validated configs, and the
// model roles. Built from YAML by load_suite(); knows nothing about any particular dataset or
// metric.
#pragma once

#include <trustllm/config/config.hpp>
#include <trustllm/engine/gates.hpp>
#include <trustllm/plugin/registry.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace trustllm::engine {

namespace fs = std::filesystem;

struct RetryPolicy {
  int max_attempts = 6;      // including the first
  double base_delay = 0.5;   // seconds; doubled each attempt, with full jitter
  double max_delay = 30.0;   // cap of one wait
  double request_timeout = 0;  // seconds per attempt enforced by the host; 0 = the plugin's own
};

struct PluginRef {
  std::string plugin;        // component name
  nlohmann::json config;     // validated, defaults applied
  std::string pointer;       // JSON pointer of the plugin's block in its document (for errors)
  std::string file;          // the YAML file it came from
};

struct RoleBinding {
  std::string role;          // "model", "judge", ...
  PluginRef model;
  uint32_t max_concurrency = 0;  // 0 = no cap of its own
  RetryPolicy retry;
  std::string source;        // file the binding came from
  nlohmann::json redacted;   // the binding's config with secrets removed (for the manifest)
};

// A metric computed by the host from other metrics of the same task (e.g. an average of
// sub-scores): value = the unweighted mean of the listed metrics' values, in the listed order.
struct DerivedMetric {
  std::string metric;
  std::vector<std::string> mean_of;
  std::string direction = "higher_is_better";
};

struct TaskSpec {
  std::string id;            // canonical task id
  std::string dimension;
  PluginRef dataset;
  std::vector<PluginRef> metrics;
  std::optional<uint64_t> limit;
  nlohmann::json generation = nlohmann::json::object();  // overrides of the item's settings
  std::vector<DerivedMetric> derived;
  // The key of the seeded --limit selection and of the per-item sampling seeds: the task id,
  // or `same_items_as: <task>` so that a task over the same items (toxicity over jailbreak)
  // draws the same sample and sends the same requests, which the response cache then answers.
  std::string seed_key;
};

struct Suite {
  std::string name;
  fs::path file;
  uint64_t seed = 0;
  std::vector<fs::path> plugin_paths;
  std::vector<TaskSpec> tasks;
  std::map<std::string, RoleBinding> roles;
  std::vector<Gate> gates;  // `gates:` of the suite
  // `report:` of the suite, for the manifest: {"views": [...], "published": {...},
  // "published_file": path}; empty when the suite has none.
  nlohmann::json report = nlohmann::json::object();
  nlohmann::json resolved_redacted;  // the whole resolved suite with secrets removed
};

struct SuiteOptions {
  std::vector<std::string> overrides;               // --set a.b=c
  std::map<std::string, fs::path> role_files;       // --model / --judge / --role r=FILE
  std::map<std::string, nlohmann::json> role_inline;  // programmatic bindings (score --import)
  std::map<std::string, std::string> variables;     // extra ${VAR} values that win over env
};

// Loads, interpolates, merges includes, applies --set, resolves roles and validates every
// plugin config against its schema. Throws config::ConfigError (exit code 2) or
// plugin::PluginError with one-line messages.
Suite load_suite(const fs::path& file, plugin::Registry& registry, const SuiteOptions& options);

// Loads a model file (configs/models/*.yaml) into a binding for `role`.
RoleBinding load_role_file(const std::string& role, const fs::path& file,
                           plugin::Registry& registry, const SuiteOptions& options);

}  // namespace trustllm::engine
