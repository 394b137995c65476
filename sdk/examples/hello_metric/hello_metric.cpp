// hello_metric — the smallest useful trustllm plugin, written as a tutorial.
//
// It provides one component, a *metric*: for every evaluated sample it checks whether the
// model's response contains a configured word, and over a run it reports how many responses
// did (a count and a share).
//
// Everything a plugin needs comes from one header-only include. Your classes never cross the
// boundary to the host: TRUSTLLM_PLUGIN(...) at the bottom turns them into the C tables of
// <trustllm/abi.h>, and the SDK catches every exception you throw and hands the host a status
// plus your message. So: write ordinary C++, throw when something is wrong.
#include <trustllm/plugin.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

namespace sdk = trustllm::sdk;
using sdk::json;  // nlohmann::json

namespace {

// Lower-cases ASCII letters (enough for a tutorial; use ICU for real case folding).
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class HelloMetric : public sdk::Metric {
 public:
  // 1. Describe the component. The host reads this (through the sidecar hello_metric.plugin.json,
  //    generated at build time) to list the plugin, resolve `metric: hello_metric` in YAML, and
  //    validate the user's config against the JSON Schema before your constructor runs.
  //    Keep meta() to constants: it may be called while the library is being inspected.
  static sdk::Meta meta() {
    sdk::Meta m{"hello_metric", "1.0.0",
                "counts the responses that contain a configured word"};
    m.license = "Apache-2.0";
    m.config_schema = R"({
      "type": "object",
      "additionalProperties": false,
      "required": ["word"],
      "properties": {
        "word": {"type": "string", "minLength": 1,
                 "description": "the word to look for in each response"},
        "case_sensitive": {"type": "boolean", "default": false}
      }
    })";
    m.example_config = "word: sorry\ncase_sensitive: false\n";
    return m;
  }

  // 2. Construct from the validated config (defaults already filled in by the host). Throw
  //    sdk::config_error("/json/pointer", "what is wrong — how to fix it") for anything the
  //    schema cannot express; the user sees it next to the offending YAML key.
  HelloMetric(const json& config, sdk::Host host)
      : case_sensitive_(config.value("case_sensitive", false)) {
    if (!config.contains("word") || !config["word"].is_string() ||
        config["word"].get<std::string>().empty()) {
      throw sdk::config_error("/word", "set `word` to the (non-empty) word to count");
    }
    word_ = config["word"].get<std::string>();
    if (!case_sensitive_) word_ = lower(word_);
    host.debug("counting responses that contain '" + word_ + "'");
  }

  // 3. Evaluate one sample. The record you return is stored per sample (samples.jsonl) and fed
  //    back to the accumulator below, also when the run is re-scored later. This runs on many
  //    threads at once: only read member data here.
  json evaluate(const json& sample, sdk::Call&) override {
    const json& response = sample.at("response");
    if (!response.is_string()) {  // generation failed: say so, and stay out of the denominator
      return {{"excluded", true}, {"reason", "no response"}};
    }
    std::string text = response.get<std::string>();
    if (!case_sensitive_) text = lower(text);
    const bool hit = text.find(word_) != std::string::npos;
    return {{"contains", hit}};
  }

  // 4. Aggregate. The host starts one accumulator per run (begin), adds every stored
  //    (sample, record) pair, then asks for the summary (finish). Accumulators are used from
  //    one thread at a time.
  struct Counter : sdk::Accumulator {
    long n = 0;
    long hits = 0;
    std::vector<double> per_item;  // 1 or 0 per response, for the confidence interval
    void add(const json&, const json& record, sdk::Call&) override {
      if (record.value("excluded", false)) return;
      ++n;
      const bool hit = record.value("contains", false);
      if (hit) ++hits;
      per_item.push_back(hit ? 1.0 : 0.0);
    }
    json finish(sdk::Call&) override {
      json count = {{"metric", "hello_count"}, {"n", n}, {"direction", "higher_is_better"},
                    {"value", hits}, {"status", "ok"}};
      json share = {{"metric", "hello_rate"}, {"n", n}, {"direction", "higher_is_better"}};
      if (n == 0) {  // never a silent 0: say why there is no value
        share["value"] = nullptr;
        share["status"] = "skipped";
        share["reason"] = "no responses to look at";
      } else {
        share["value"] = static_cast<double>(hits) / static_cast<double>(n);
        share["status"] = "ok";
        // 5. Confidence interval: when the host asks for a bootstrap (`--bootstrap N`), give
        //    the share on each resample of the items; the host turns them into "ci95".
        if (bootstrap().resamples > 0) {
          share["replicates"] = sdk::bootstrap_mean(per_item, bootstrap());
        }
      }
      return {{"metrics", json::array({count, share})}};
    }
  };
  std::unique_ptr<sdk::Accumulator> begin(sdk::Call&) override {
    return std::make_unique<Counter>();
  }

 private:
  std::string word_;
  bool case_sensitive_;
};

}  // namespace

// 5. Export the library's single entry point, trustllm_plugin_entry_v1, listing every component
//    it provides (a library may bundle datasets, models and metrics: TRUSTLLM_PLUGIN(A, B, C)).
//    Everything else stays hidden: `nm -D --defined-only hello_metric.so` shows only the entry.
TRUSTLLM_PLUGIN(HelloMetric)
