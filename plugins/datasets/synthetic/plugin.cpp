// synthetic — generated prompts, for benchmarks and smoke tests of backends. No files.
// Item i has id "i", prompt "<prefix> i" and stratum "s<i mod strata>".
#include <trustllm/plugin.hpp>

namespace {

namespace sdk = trustllm::sdk;
using sdk::json;

class Synthetic : public sdk::Dataset {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"synthetic", "1.0.0", "generated prompts for benchmarks and backend smoke tests"};
    m.config_schema = R"json({
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "task": {"type": "string", "default": "synthetic", "description": "task id reported by info()"},
        "count": {"type": "integer", "minimum": 0, "default": 100, "description": "number of items"},
        "prompt_prefix": {"type": "string", "default": "Write one sentence about item", "description": "prompt of item i is '<prefix> i'"},
        "strata": {"type": "integer", "minimum": 1, "default": 1, "description": "items are spread over this many strata"},
        "temperature": {"type": "number", "minimum": 0, "default": 0},
        "max_tokens": {"type": "integer", "minimum": 1, "default": 16}
      }
    })json";
    m.example_config = "plugin: synthetic\ncount: 10000\nmax_tokens: 8\n";
    return m;
  }

  Synthetic(const json& c, sdk::Host)
      : task_(c.value("task", "synthetic")),
        count_(c.value("count", uint64_t{100})),
        prefix_(c.value("prompt_prefix", std::string("Write one sentence about item"))),
        strata_(c.value("strata", uint64_t{1})),
        temperature_(c.value("temperature", 0.0)),
        max_tokens_(c.value("max_tokens", 16)) {}

  json info(sdk::Call&) override {
    return {{"task", task_}, {"dimension", "synthetic"}, {"files", json::array()}, {"items", count_}};
  }
  uint64_t count(sdk::Call&) override { return count_; }
  void read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
            sdk::Call&) override {
    for (uint64_t i = first; i < count_ && i < first + max; ++i) {
      emit({{"id", std::to_string(i)},
            {"prompt", prefix_ + " " + std::to_string(i)},
            {"stratum", "s" + std::to_string(i % strata_)},
            {"generation", {{"temperature", temperature_}, {"max_tokens", max_tokens_}}},
            {"fields", json::object()}});
    }
  }

 private:
  std::string task_;
  uint64_t count_;
  std::string prefix_;
  uint64_t strata_;
  double temperature_;
  int max_tokens_;
};

}  // namespace

TRUSTLLM_PLUGIN(Synthetic)
