// The plugin-side C++ layer (plugin.hpp) through its C trampolines, without loading a library:
// exceptions become statuses and messages, and model output with invalid UTF-8 still crosses
// the boundary as valid JSON.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <trustllm/host.hpp>
#include <trustllm/plugin.hpp>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class BytesModel : public sdk::Model {
 public:
  static sdk::Meta meta() { return {"bytes_model", "1.0.0", "returns configured raw bytes"}; }
  BytesModel(const json& config, sdk::Host) : mode_(config.value("mode", "")) {}
  json identity(sdk::Call&) override { return {{"backend", "test"}}; }
  json call(const json&, sdk::Call&) override {
    if (mode_ == "throw") throw std::runtime_error("backend exploded");
    if (mode_ == "retry") throw sdk::Error(TLM_E_RETRYABLE, "slow down", 2.5);
    // "caf" + a UTF-8 lead byte cut off by max_tokens, and a stray continuation byte.
    return {{"text", std::string("caf\xC3") + " ok \x80"}};
  }

 private:
  std::string mode_;
};

void on_error(tlm_call* c, tlm_str m) { c->error.assign(m.data, m.size); }
void on_retry(tlm_call* c, double s) { c->retry_after = s; }

const tlm_host_api* test_host() {
  static tlm_host_api api{};
  api.struct_size = sizeof(tlm_host_api);
  api.abi_major = TLM_ABI_MAJOR;
  api.abi_minor = TLM_ABI_MINOR;
  api.set_error = &on_error;
  api.set_retry_after = &on_retry;
  return &api;
}

trustllm::host::Component component() {
  trustllm::host::Component c;
  c.desc = sdk::detail::describe<BytesModel>();
  c.path = "(in process)";
  return c;
}

}  // namespace

TEST_CASE("invalid UTF-8 in a model response becomes U+FFFD, and the JSON stays valid") {
  trustllm::host::ModelHandle m(component(), R"({"mode":""})", test_host());
  std::string out = m.call(R"({"op":"chat","messages":[]})");
  json j = json::parse(out);  // throws if the text were not valid JSON / UTF-8
  CHECK(j["text"] == "caf\xEF\xBF\xBD ok \xEF\xBF\xBD");
}

TEST_CASE("exceptions become a status and the message; Retry-After travels") {
  trustllm::host::ModelHandle boom(component(), R"({"mode":"throw"})", test_host());
  try {
    boom.call("{}");
    FAIL("expected an error");
  } catch (const trustllm::host::CallError& e) {
    CHECK(e.status() == TLM_E_RUNTIME);
    CHECK(std::string(e.what()) == "backend exploded");
  }
  trustllm::host::ModelHandle retry(component(), R"({"mode":"retry"})", test_host());
  try {
    retry.call("{}");
    FAIL("expected an error");
  } catch (const trustllm::host::CallError& e) {
    CHECK(e.retryable());
    CHECK(e.retry_after() == doctest::Approx(2.5));
  }
}

TEST_CASE("a request that is not JSON is a bad-input status, not a crash") {
  trustllm::host::ModelHandle m(component(), "{}", test_host());
  CHECK_THROWS_AS(m.call("{not json"), trustllm::host::CallError);
  try {
    m.call("{not json");
  } catch (const trustllm::host::CallError& e) {
    CHECK(e.status() == TLM_E_INPUT);
  }
}
