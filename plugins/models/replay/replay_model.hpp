// Model plugin `replay`: answers from a recorded result tree instead of a live model.
//
// A result tree has the layout of the data folder (e.g. <dir>/safety/jailbreak.json), each item
// being the dataset item plus the recorded answer in `field` (default "res", the toolkit's key).
// call() reads request.context.source.{file,index} (the host adds it to every generation request),
// loads <dir>/<file> once (NaN-tolerant reader; thread-safe cache shared by all calls) and returns
// {"text": item[index][field], "finish_reason": "stop"}. A recorded null (generation failed) or a
// missing field is returned as {"text": null, "finish_reason": "error"}. A missing file is
// TLM_E_NOT_FOUND; an index out of range or a non-string answer is TLM_E_INPUT.
#pragma once

#include <trustllm/plugin.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace trustllm::replay {

using json = nlohmann::json;

class ReplayModel : public sdk::Model {
 public:
  static sdk::Meta meta();

  ReplayModel(const json& config, sdk::Host host);

  json identity(sdk::Call& call) override;
  json call(const json& request, sdk::Call& call) override;

  // The same, without a host (tests).
  json answer(const json& request);

  // How many distinct files have been parsed so far.
  size_t files_loaded() const;

 private:
  struct Entry {
    std::mutex mu;
    std::shared_ptr<const json> items;  // set once parsed
  };
  std::shared_ptr<const json> load(const std::string& rel);

  std::filesystem::path dir_;
  std::string field_ = "res";
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Entry>> files_;
  size_t loaded_ = 0;
};

}  // namespace trustllm::replay
