// Fixture "abi_major_mismatch": an otherwise well-formed plugin whose entry says it was built
// for ABI <major + 1>.0. The host must refuse it with a message naming the file and both ABI
// versions.
#include <trustllm/plugin.hpp>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class FutureModel : public sdk::Model {
 public:
  static sdk::Meta meta() { return {"fixture_future_model", "1.0.0", "fixture: next ABI major"}; }
  FutureModel(const json&, sdk::Host) {}
  json identity(sdk::Call&) override { return {{"backend", "fixture"}, {"model", "future"}}; }
  json call(const json&, sdk::Call&) override { return {{"text", "future"}}; }
};

}  // namespace

extern "C" TLM_EXPORT const tlm_plugin_info* trustllm_plugin_entry_v1(uint16_t, uint16_t) {
  static const tlm_component_desc* const components[] = {
      sdk::detail::describe<FutureModel>()};
  static const tlm_plugin_info info{sizeof(tlm_plugin_info), TLM_ABI_MAJOR + 1, 0,
                                    TRUSTLLM_SDK_VERSION, 1, components};
  return &info;
}
