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
      // The original and the modified item of a pair share task and index: sampled together.
      data::with_group(data::task("advglue", d, 0.0, data::file("robustness/AdvGLUE.json", 912),
                                  data::stratum::key("task"), "task"),
                       data::group::join({"task", "index"}), "task/index"),
      // The 12 variants of an instruction share its index: sampled together.
      data::with_group(
          data::task("advinstruction", d, 1.0, data::file("robustness/AdvInstruction.json", 600),
                     data::stratum::constant("all"), "all (whole instructions are sampled)"),
          data::group::join({"index"}), "index"),
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
