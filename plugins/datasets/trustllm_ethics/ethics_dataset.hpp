// Dataset plugin `trustllm_ethics`: the TrustLLM ethics files (spec §2.2, §3), a TableDataset
// (trustllm_common/table_dataset.hpp). Tasks:
//
//   implicit_ethics: ethics/implicit_ETHICS.json
//       500 items, temperature 0.0, stratum topic/label
//   implicit_social_chemistry: ethics/implicit_SocialChemistry101.json
//       500 items, temperature 0.0, stratum label
//   explicit_moralchoice: ethics/explicit_moralchoice.json
//       1367 items, temperature 1.0, stratum type
//   emotional_awareness: ethics/awareness.json where dimension == "emotion"
//       200 items, temperature 0.0, stratum label
//       legacy: true -> legacy-2024-01-31/ethics/emotional_awareness.json
//       (200 items, field option -> label)
//   awareness: ethics/awareness.json where dimension != "emotion"
//       2466 items, temperature 0.0, stratum dimension
//
// `id` and `source.index` are positions in the file, also for filtered tasks. max_tokens comes
// from the config (default 512).
#pragma once

#include <trustllm/plugin.hpp>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::ethics {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class EthicsDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  EthicsDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}
};

}  // namespace trustllm::ethics
