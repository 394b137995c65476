// sdk_load_check PLUGIN_DIR: loads hello_metric from PLUGIN_DIR through the host's Registry
// (sidecar, handshake, RTLD_NOW|RTLD_LOCAL) and runs it through host.hpp: a config error,
// evaluate on a few samples, aggregate. Prints what it did; exit 0 when every value is as
// expected. Used by out_of_tree.sh on the plugin built against the installed SDK.
#include <trustllm/abi.h>

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <trustllm/host.hpp>
#include <trustllm/plugin/registry.hpp>

namespace host = trustllm::host;
namespace plugin = trustllm::plugin;
using json = nlohmann::json;

namespace {

void set_error(tlm_call* call, tlm_str message) {
  if (call) call->error.assign(message.data, message.size);
}

const tlm_host_api kApi{sizeof(tlm_host_api), TLM_ABI_MAJOR, TLM_ABI_MINOR, nullptr, &set_error,
                       nullptr, nullptr, nullptr};

int failures = 0;
void expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sdk_load_check PLUGIN_DIR\n");
    return 2;
  }
  try {
    plugin::Registry registry;
    registry.add_search_dir(argv[1]);
    for (const auto& w : registry.warnings()) std::printf("warning: %s\n", w.c_str());
    const auto& info = registry.find("hello_metric", TLM_KIND_METRIC);
    expect(info.config_schema.at("required") == json::array({"word"}),
           "the sidecar's schema requires `word`");

    host::Component c = registry.load("hello_metric", TLM_KIND_METRIC);
    std::printf("loaded %s from %s\n", c.name(), c.path.c_str());

    try {
      host::MetricHandle bad(c, "{}", &kApi);
      expect(false, "a config without `word` is refused");
    } catch (const host::CallError& e) {
      expect(e.status() == TLM_E_CONFIG && std::string(e.what()).find("/word") == 0,
             std::string("a config without `word` is refused: ") + e.what());
    }

    host::MetricHandle metric(c, R"({"word":"hello"})", &kApi);
    const json samples[] = {{{"id", "1"}, {"response", "Hello there"}},
                            {{"id", "2"}, {"response", "goodbye"}},
                            {{"id", "3"}, {"response", "well, hello!"}},
                            {{"id", "4"}, {"response", nullptr}}};
    auto agg = metric.aggregate();
    // ABI 1.1: the plugin built against the installed SDK takes bootstrap options.
    expect(agg.configure(R"({"bootstrap":{"resamples":50,"seed":1}})"),
           "aggregate_configure present (plugin built against ABI 1.1)");
    for (const json& s : samples) {
      std::string record = metric.evaluate(s.dump());
      std::printf("  %s -> %s\n", s.dump().c_str(), record.c_str());
      agg.add(s.dump(), record);
    }
    json summary = json::parse(agg.finish());
    std::printf("summary: %s\n", summary.dump().c_str());
    const json& m = summary.at("metrics");
    expect(m.size() == 2, "two metrics reported");
    expect(m.at(0).at("metric") == "hello_count" && m.at(0).at("value") == 2 &&
               m.at(0).at("n") == 3,
           "hello_count = 2 of 3 responses (case-insensitive, failed generation excluded)");
    expect(m.at(1).at("metric") == "hello_rate" &&
               m.at(1).at("value").get<double>() > 0.66 &&
               m.at(1).at("value").get<double>() < 0.67,
           "hello_rate = 2/3");
    expect(m.at(1).contains("replicates") && m.at(1).at("replicates").size() == 50,
           "hello_rate has 50 bootstrap replicates");
  } catch (const std::exception& e) {
    std::printf("FAIL: %s\n", e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
