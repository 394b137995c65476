// Fixture "throws_in_create": the constructor throws what the config asks for:
//   {"fail": "runtime"}  std::runtime_error      -> host sees TLM_E_RUNTIME + the message
//   {"fail": "config"}   sdk::Error(TLM_E_CONFIG) -> host sees TLM_E_CONFIG + the message
//   {"fail": "unknown"}  a non-std exception      -> TLM_E_RUNTIME, "unknown exception ..."
//   {"fail": "none"}     constructs; identity() then throws std::logic_error
// Every exception must stop at the SDK trampoline; the host process survives.
#include <trustllm/plugin.hpp>

#include <stdexcept>
#include <string>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class ThrowingModel : public sdk::Model {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"fixture_throwing_model", "1.0.0", "fixture: throws from its constructor"};
    m.config_schema =
        R"({"type":"object","additionalProperties":false,"required":["fail"],)"
        R"("properties":{"fail":{"enum":["runtime","config","unknown","none"]}}})";
    return m;
  }
  ThrowingModel(const json& config, sdk::Host) {
    const std::string fail = config.at("fail").get<std::string>();
    if (fail == "runtime") throw std::runtime_error("fixture: constructor failed at runtime");
    if (fail == "config")
      throw sdk::Error(TLM_E_CONFIG, "/fail: fixture: configuration rejected by the constructor");
    if (fail == "unknown") throw 7;
  }
  json identity(sdk::Call&) override { throw std::logic_error("fixture: identity is broken"); }
  json call(const json&, sdk::Call&) override { return {{"text", "constructed"}}; }
};

}  // namespace

TRUSTLLM_PLUGIN(ThrowingModel)
