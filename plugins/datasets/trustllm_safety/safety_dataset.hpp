// Dataset plugin `trustllm_safety`: the TrustLLM safety files (spec §2.2), a TableDataset.
//
//   task                 file                             items  stratum
//   jailbreak            safety/jailbreak.json            1400   label[0] (14 attack labels)
//   misuse               safety/misuse.json               1174   `type` for Do-anything-now items,
//                                                                else `source`
//   exaggerated_safety   safety/exaggerated_safety.json    200   `type` (10 XSTest types)
//   toxicity             safety/jailbreak.json            1400   label[0] (the jailbreak items and
//                                                                generation settings, so the host's
//                                                                response cache answers it)
//
// Generation: temperature 1.0 for all files (spec §3), max_tokens from the config (512).
#pragma once

#include <trustllm/plugin.hpp>

#include <string>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::safety {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class SafetyDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  SafetyDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}

  // File (relative to data_dir) of a task; empty when the task is unknown.
  static std::string file_of(const std::string& task);
};

}  // namespace trustllm::safety
