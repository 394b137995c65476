// manifest.json: what was run, with which plugins, data and settings (secrets removed).
#pragma once

#include <trustllm/engine/runner.hpp>
#include <trustllm/engine/suite.hpp>
#include <trustllm/plugin/registry.hpp>

#include <nlohmann/json.hpp>
#include <string>

namespace trustllm::engine {

nlohmann::json make_manifest(const Suite& suite, const plugin::Registry& registry,
                             const RunOptions& options, const nlohmann::json& task_infos,
                             const std::string& started_at);

const char* trustllm_version();

}  // namespace trustllm::engine
