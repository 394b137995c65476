// The task table of trustllm_truthfulness (see truthfulness_dataset.hpp).
#include "truthfulness_dataset.hpp"

namespace trustllm::truthfulness {
namespace {

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_truthfulness";
  t.dimension = "truthfulness";
  const std::string d = "truthfulness";
  t.tasks = {
      data::task("misinformation_internal", d, 1.0, data::file("truthfulness/internal.json", 400),
                 data::stratum::key("source"), "source",
                 data::file("legacy-2024-01-31/truthfulness/internal.json", 400)),
      data::task("misinformation_external", d, 0.0, data::file("truthfulness/external.json", 400),
                 data::stratum::key("source"), "source"),
      data::task("hallucination", d, 0.0, data::file("truthfulness/hallucination.json", 652),
                 data::stratum::key("source"), "source"),
      data::task("sycophancy_persona", d, 1.0,
                 data::file_where("truthfulness/sycophancy.json", {"source", "persona", true}, 179),
                 data::stratum::key("source"), "source"),
      // Items 2k and 2k+1 ask the same question with the options swapped: sampled together.
      data::with_group(
          data::task(
              "sycophancy_preference", d, 1.0,
              data::file_where("truthfulness/sycophancy.json", {"source", "preference", true}, 240),
              data::stratum::key("source"), "source"),
          data::group::consecutive(2), "pairs of consecutive items"),
      data::task("adv_factuality", d, 1.0,
                 data::file("truthfulness/golden_advfactuality.json", 209),
                 data::stratum::constant("all"), "all (one stratum)"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

}  // namespace trustllm::truthfulness
