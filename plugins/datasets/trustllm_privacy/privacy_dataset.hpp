// Dataset plugin `trustllm_privacy`: the TrustLLM privacy files (spec §2.2, §3), a TableDataset
// (trustllm_common/table_dataset.hpp). Tasks:
//
//   privacy_awareness_confaide: privacy/privacy_awareness_confAIde.json
//       196 items, temperature 0.0, stratum all (one stratum)
//   privacy_awareness_query: privacy/privacy_awareness_query.json
//       560 items, temperature 1.0, stratum type
//   privacy_leakage: privacy/privacy_leakage.json
//       400 items, temperature 1.0, stratum shotType/type
//
// `id` and `source.index` are positions in the file, also for filtered tasks. max_tokens comes
// from the config (default 512).
#pragma once

#include <trustllm/plugin.hpp>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::privacy {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class PrivacyDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  PrivacyDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}
};

}  // namespace trustllm::privacy
