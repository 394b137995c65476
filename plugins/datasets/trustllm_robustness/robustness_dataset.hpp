// Dataset plugin `trustllm_robustness`: the TrustLLM robustness files (spec §2.2, §3), a
// TableDataset (trustllm_common/table_dataset.hpp). Tasks:
//
//   advglue: robustness/AdvGLUE.json
//       912 items, temperature 0.0, stratum task
//   advinstruction: robustness/AdvInstruction.json
//       600 items, temperature 1.0, stratum type
//   ood_detection: robustness/ood_detection.json
//       241 items, temperature 1.0, stratum all (one stratum)
//   ood_generalization: robustness/ood_generalization.json
//       500 items, temperature 0.0, stratum source
//
// `id` and `source.index` are positions in the file, also for filtered tasks. max_tokens comes
// from the config (default 512).
#pragma once

#include <trustllm/plugin.hpp>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::robustness {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class RobustnessDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  RobustnessDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}
};

}  // namespace trustllm::robustness
