// Dataset plugin `trustllm_truthfulness`: the TrustLLM truthfulness files (spec §2.2, §3), a
// TableDataset (trustllm_common/table_dataset.hpp). Tasks:
//
//   misinformation_internal: truthfulness/internal.json
//       400 items, temperature 1.0, stratum source
//       legacy: true -> legacy-2024-01-31/truthfulness/internal.json
//       (400 items)
//   misinformation_external: truthfulness/external.json
//       400 items, temperature 0.0, stratum source
//   hallucination: truthfulness/hallucination.json
//       652 items, temperature 0.0, stratum source
//   sycophancy_persona: truthfulness/sycophancy.json where source == "persona"
//       179 items, temperature 1.0, stratum source
//   sycophancy_preference: truthfulness/sycophancy.json where source == "preference"
//       240 items, temperature 1.0, stratum source
//   adv_factuality: truthfulness/golden_advfactuality.json
//       209 items, temperature 1.0, stratum all (one stratum)
//
// `id` and `source.index` are positions in the file, also for filtered tasks. max_tokens comes
// from the config (default 512).
#pragma once

#include <trustllm/plugin.hpp>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::truthfulness {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class TruthfulnessDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  TruthfulnessDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}
};

}  // namespace trustllm::truthfulness
