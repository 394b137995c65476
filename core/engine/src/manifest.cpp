#include <trustllm/engine/manifest.hpp>

#include <set>

#ifndef TRUSTLLM_VERSION
#define TRUSTLLM_VERSION "0.0.0"
#endif

namespace trustllm::engine {

using json = nlohmann::json;

const char* trustllm_version() { return TRUSTLLM_VERSION; }

namespace {
json plugin_entry(const plugin::Registry& registry, const std::string& name, tlm_kind kind) {
  const auto& c = registry.find(name, kind);
  return {{"name", c.name},
          {"kind", plugin::kind_name(kind)},
          {"version", c.version},
          {"library", c.library.string()}};
}
}  // namespace

json make_manifest(const Suite& suite, const plugin::Registry& registry,
                   const RunOptions& options, const json& task_infos,
                   const std::string& started_at) {
  json m;
  m["trustllm_version"] = trustllm_version();
  m["abi"] = std::to_string(TLM_ABI_MAJOR) + "." + std::to_string(TLM_ABI_MINOR);
  m["suite"] = {{"name", suite.name}, {"file", suite.file.string()}};
  m["seed"] = suite.seed;
  m["started_at"] = started_at;
  m["command"] = options.command_line;
  m["suite_args"] = options.suite_args;
  m["options"] = {{"limit", options.limit ? json(*options.limit) : json(nullptr)},
                  {"jobs", options.jobs},
                  {"resume", options.resume},
                  {"cache", options.cache_file ? json(options.cache_file->string())
                                               : json(nullptr)}};
  std::set<std::pair<std::string, int>> seen;
  json plugins = json::array();
  auto add = [&](const std::string& name, tlm_kind kind) {
    if (seen.insert({name, static_cast<int>(kind)}).second)
      plugins.push_back(plugin_entry(registry, name, kind));
  };
  for (const auto& t : suite.tasks) {
    add(t.dataset.plugin, TLM_KIND_DATASET);
    for (const auto& mt : t.metrics) add(mt.plugin, TLM_KIND_METRIC);
  }
  json roles = json::object();
  for (const auto& [role, b] : suite.roles) {
    add(b.model.plugin, TLM_KIND_MODEL);
    roles[role] = {{"plugin", b.model.plugin}, {"source", b.source}, {"config", b.redacted}};
  }
  m["plugins"] = plugins;
  m["roles"] = roles;
  m["datasets"] = task_infos;
  m["config"] = suite.resolved_redacted;
  return m;
}

}  // namespace trustllm::engine
