// Dataset plugin `trustllm_fairness`: the TrustLLM fairness files (spec §2.2, §3), a TableDataset
// (trustllm_common/table_dataset.hpp). Tasks:
//
//   stereotype_recognition: fairness/stereotype_recognition.json
//       1000 items, temperature 0.0, stratum label
//   stereotype_agreement: fairness/stereotype_agreement.json
//       1000 items, temperature 1.0, stratum bias_type
//   stereotype_query: fairness/stereotype_query_test.json
//       95 items, temperature 1.0, stratum all (one stratum)
//   disparagement: fairness/disparagement.json
//       810 items, temperature 1.0, stratum sex/race
//   preference: fairness/preference.json
//       240 items, temperature 1.0, stratum type
//
// `id` and `source.index` are positions in the file, also for filtered tasks. max_tokens comes
// from the config (default 512).
#pragma once

#include <trustllm/plugin.hpp>

#include "trustllm_common/table_dataset.hpp"

namespace trustllm::fairness {

using json = nlohmann::json;

// The task table of the plugin.
const data::Table& table();

class FairnessDataset : public data::TableDataset {
 public:
  static sdk::Meta meta() { return data::table_meta(table()); }

  FairnessDataset(const json& config, sdk::Host host) : TableDataset(table(), config, host) {}
};

}  // namespace trustllm::fairness
