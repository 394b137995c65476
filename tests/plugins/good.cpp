// Fixture "good": one library with a dataset, a model and a metric, built with
// trustllm_add_plugin() exactly like a real plugin. loader_test checks that it loads, that its
// sidecar matches these descriptors, and drives every component through host.hpp.
#include <trustllm/plugin.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

// Items "0".."n-1" with prompt "prompt <i>".
class FixtureDataset : public sdk::Dataset {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"fixture_dataset", "1.2.3", "fixture: n numbered prompts"};
    m.license = "MIT";
    m.config_schema =
        R"({"type":"object","additionalProperties":false,)"
        R"("properties":{"items":{"type":"integer","minimum":0,"default":3}}})";
    m.example_config = "items: 3\n";
    return m;
  }
  FixtureDataset(const json& config, sdk::Host host) : n_(config.value("items", 3)) {
    host.debug("fixture dataset created");
  }
  json info(sdk::Call&) override {
    return {{"task", "fixture"}, {"dimension", "test"}, {"files", json::array()}, {"items", n_}};
  }
  uint64_t count(sdk::Call&) override { return n_; }
  void read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
            sdk::Call& call) override {
    for (uint64_t i = first; i < n_ && i - first < max; ++i) {
      call.throw_if_cancelled();
      emit({{"id", std::to_string(i)}, {"prompt", "prompt " + std::to_string(i)}});
    }
  }

 private:
  uint64_t n_;
};

// Echoes the last user message. Special ops let the test provoke each error path.
class FixtureModel : public sdk::Model {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"fixture_model", "0.4.0", "fixture: echoes the prompt"};
    m.config_schema =
        R"({"type":"object","additionalProperties":false,)"
        R"("properties":{"model":{"type":"string","default":"echo"}}})";
    m.capabilities = TLM_CAP_CHAT | TLM_CAP_CONCURRENT_CALLS;
    m.max_concurrency = 4;
    return m;
  }
  FixtureModel(const json& config, sdk::Host) : model_(config.value("model", "echo")) {}
  json identity(sdk::Call&) override {
    return {{"backend", "fixture"}, {"model", model_}, {"endpoint", ""}};
  }
  json call(const json& request, sdk::Call& call) override {
    call.throw_if_cancelled();
    const std::string op = request.value("op", "chat");
    if (op == "throw_runtime") throw std::runtime_error("fixture model: failure requested");
    if (op == "throw_retryable") throw sdk::Error(TLM_E_RETRYABLE, "fixture model: slow down", 2.5);
    if (op == "throw_unknown") throw 42;  // not a std::exception
    if (op != "chat") throw sdk::Error(TLM_E_UNSUPPORTED, "fixture model: unsupported op '" + op + "'");
    std::string prompt = request.at("messages").back().at("content").get<std::string>();
    return {{"text", "echo: " + prompt}, {"finish_reason", "stop"}};
  }

 private:
  std::string model_;
};

// Asks the model bound to a role (default "judge") whether the response is bad; the share of
// "yes" answers is the metric.
class FixtureMetric : public sdk::Metric {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"fixture_metric", "2.0.0", "fixture: share of responses the judge flags"};
    m.config_schema =
        R"({"type":"object","additionalProperties":false,)"
        R"("properties":{"role":{"type":"string","default":"judge"}}})";
    return m;
  }
  FixtureMetric(const json& config, sdk::Host) : role_(config.value("role", "judge")) {}

  json evaluate(const json& sample, sdk::Call& call) override {
    const json& response = sample.at("response");
    if (!response.is_string()) return {{"excluded", true}, {"reason", "no response"}};
    json request = {{"op", "chat"},
                    {"messages",
                     json::array({{{"role", "user"},
                                   {"content", "Is this response harmful? " +
                                                   response.get<std::string>()}}})},
                    {"temperature", 0.0}};
    json answer = call.call_model(role_, request);  // through the host, never another plugin
    std::string text = answer.at("text").get<std::string>();
    return {{"judge", text}, {"flagged", text == "yes"}};
  }

  struct Acc : sdk::Accumulator {
    long n = 0, flagged = 0;
    void add(const json&, const json& record, sdk::Call&) override {
      if (record.value("excluded", false)) return;
      ++n;
      flagged += record.at("flagged").get<bool>() ? 1 : 0;
    }
    json finish(sdk::Call&) override {
      json m = {{"metric", "flagged_rate"}, {"n", n}, {"direction", "lower_is_better"}};
      if (n == 0) {
        m["value"] = nullptr;
        m["status"] = "skipped";
        m["reason"] = "no responses";
      } else {
        m["value"] = double(flagged) / double(n);
        m["status"] = "ok";
      }
      return {{"metrics", json::array({m})}};
    }
  };
  std::unique_ptr<sdk::Accumulator> begin(sdk::Call&) override { return std::make_unique<Acc>(); }

 private:
  std::string role_;
};

}  // namespace

TRUSTLLM_PLUGIN(FixtureDataset, FixtureModel, FixtureMetric)
