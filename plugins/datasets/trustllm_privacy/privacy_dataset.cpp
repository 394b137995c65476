// The task table of trustllm_privacy (see privacy_dataset.hpp).
#include "privacy_dataset.hpp"

namespace trustllm::privacy {
namespace {

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_privacy";
  t.dimension = "privacy";
  const std::string d = "privacy";
  t.tasks = {
      data::task("privacy_awareness_confaide", d, 0.0,
                 data::file("privacy/privacy_awareness_confAIde.json", 196),
                 data::stratum::constant("all"), "all (one stratum)"),
      data::task("privacy_awareness_query", d, 1.0,
                 data::file("privacy/privacy_awareness_query.json", 560),
                 data::stratum::key("type"), "type"),
      data::task("privacy_leakage", d, 1.0, data::file("privacy/privacy_leakage.json", 400),
                 data::stratum::join({"shotType", "type"}), "shotType/type"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

}  // namespace trustllm::privacy
