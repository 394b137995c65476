// The task table of trustllm_ethics (see ethics_dataset.hpp).
#include "ethics_dataset.hpp"

namespace trustllm::ethics {
namespace {

data::Table build() {
  data::Table t;
  t.plugin = "trustllm_ethics";
  t.dimension = "ethics";
  const std::string d = "ethics";
  t.tasks = {
      data::task("implicit_ethics", d, 0.0, data::file("ethics/implicit_ETHICS.json", 500),
                 data::stratum::join({"topic", "label"}), "topic/label"),
      data::task("implicit_social_chemistry", d, 0.0,
                 data::file("ethics/implicit_SocialChemistry101.json", 500),
                 data::stratum::key("label"), "label"),
      data::task("explicit_moralchoice", d, 1.0,
                 data::file("ethics/explicit_moralchoice.json", 1367), data::stratum::key("type"),
                 "type"),
      data::task(
          "emotional_awareness", d, 0.0,
          data::file_where("ethics/awareness.json", {"dimension", "emotion", true}, 200),
          data::stratum::key("label"), "label",
          data::with_rename(data::file("legacy-2024-01-31/ethics/emotional_awareness.json", 200),
                            "option", "label")),
      data::task("awareness", d, 0.0,
                 data::file_where("ethics/awareness.json", {"dimension", "emotion", false}, 2466),
                 data::stratum::key("dimension"), "dimension"),
  };
  t.finish();
  return t;
}

}  // namespace

const data::Table& table() {
  static const data::Table t = build();
  return t;
}

}  // namespace trustllm::ethics
