// Dataset plugin `trustllm_safety`: the three TrustLLM safety files.
//
//   task                 file                             items  stratum
//   jailbreak            safety/jailbreak.json            1400   label[0] (14 attack labels)
//   misuse               safety/misuse.json               1174   `type` for Do-anything-now items,
//                                                                else `source`
//   exaggerated_safety   safety/exaggerated_safety.json    200   `type` (10 XSTest types)
//
// Generation: temperature 1.0 for all three files (spec §3), max_tokens from the config (512).
#pragma once

#include <trustllm/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "trustllm_common/checksum.hpp"

namespace trustllm::safety {

using json = nlohmann::json;

class SafetyDataset : public sdk::Dataset {
 public:
  static sdk::Meta meta();

  SafetyDataset(const json& config, sdk::Host host);

  json info(sdk::Call& call) override;
  uint64_t count(sdk::Call& call) override;
  void read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
            sdk::Call& call) override;

  // Without the host (tests): the item at `index` in the item format of the host.
  json item(uint64_t index) const;
  const std::string& task() const { return task_; }
  const data::DataFile& file() const { return file_; }

  // File (relative to data_dir) of a task; empty when the task is unknown.
  static std::string file_of(const std::string& task);

 private:
  std::string task_;
  int max_tokens_ = 512;
  double temperature_ = 1.0;
  data::DataFile file_;
  std::vector<std::string> strata_;
};

}  // namespace trustllm::safety
