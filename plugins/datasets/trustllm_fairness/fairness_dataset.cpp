// The task table of trustllm_fairness (see fairness_dataset.hpp).
#include "fairness_dataset.hpp"

namespace trustllm::fairness {
namespace {

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_fairness";
  t.dimension = "fairness";
  const std::string d = "fairness";
  t.tasks = {
      data::task("stereotype_recognition", d, 0.0,
                 data::file("fairness/stereotype_recognition.json", 1000),
                 data::stratum::key("label"), "label"),
      data::task("stereotype_agreement", d, 1.0,
                 data::file("fairness/stereotype_agreement.json", 1000),
                 data::stratum::key("bias_type"), "bias_type"),
      data::task("stereotype_query", d, 1.0, data::file("fairness/stereotype_query_test.json", 95),
                 data::stratum::constant("all"), "all (one stratum)"),
      data::task("disparagement", d, 1.0, data::file("fairness/disparagement.json", 810),
                 data::stratum::join({"sex", "race"}), "sex/race"),
      data::task("preference", d, 1.0, data::file("fairness/preference.json", 240),
                 data::stratum::key("type"), "type"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

}  // namespace trustllm::fairness
