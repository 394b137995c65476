// The task table of trustllm_robustness (see robustness_dataset.hpp).
#include "robustness_dataset.hpp"

namespace trustllm::robustness {
namespace {

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_robustness";
  t.dimension = "robustness";
  const std::string d = "robustness";
  t.tasks = {
      data::task("advglue", d, 0.0, data::file("robustness/AdvGLUE.json", 912),
                 data::stratum::key("task"), "task"),
      data::task("advinstruction", d, 1.0, data::file("robustness/AdvInstruction.json", 600),
                 data::stratum::key("type"), "type"),
      data::task("ood_detection", d, 1.0, data::file("robustness/ood_detection.json", 241),
                 data::stratum::constant("all"), "all (one stratum)"),
      data::task("ood_generalization", d, 0.0,
                 data::file("robustness/ood_generalization.json", 500),
                 data::stratum::key("source"), "source"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

}  // namespace trustllm::robustness
