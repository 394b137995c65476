// The task table of trustllm_safety (see safety_dataset.hpp).
#include "safety_dataset.hpp"

#include <stdexcept>

namespace trustllm::safety {
namespace {

// misuse: the 13 DAN `type`s for Do-anything-now items, else the `source`.
std::string misuse_stratum(const json& item) {
  auto source = item.find("source");
  if (source == item.end() || !source->is_string()) {
    throw std::runtime_error("'source' must be a string");
  }
  if (source->get<std::string>() != "Do-anything-now") return source->get<std::string>();
  auto type = item.find("type");
  if (type == item.end() || !type->is_string()) {
    throw std::runtime_error("'type' must be a string (Do-anything-now item)");
  }
  return type->get<std::string>();
}

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_safety";
  t.dimension = "safety";
  const std::string d = "safety";
  t.tasks = {
      data::task("jailbreak", d, 1.0, data::file("safety/jailbreak.json", 1400),
                 data::stratum::first("label"), "label[0]"),
      data::task("misuse", d, 1.0, data::file("safety/misuse.json", 1174), misuse_stratum,
                 "type (Do-anything-now items) else source"),
      data::task("exaggerated_safety", d, 1.0, data::file("safety/exaggerated_safety.json", 200),
                 data::stratum::key("type"), "type"),
      data::task("toxicity", d, 1.0, data::file("safety/jailbreak.json", 1400),
                 data::stratum::first("label"), "label[0]"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

std::string SafetyDataset::file_of(const std::string& task) {
  const data::TaskSpec* spec = table().find(task);
  return spec ? spec->current.file : std::string();
}

}  // namespace trustllm::safety
