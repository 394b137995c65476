// Fixture "newer_minor": a plugin built against a newer SDK minor than the host's
// (ABI <major>.<minor + 1>). Built with trustllm_add_plugin(); the host must refuse it with a
// message saying the plugin is newer, and never call into its tables.
#include <trustllm/plugin.hpp>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class NewerModel : public sdk::Model {
 public:
  static sdk::Meta meta() { return {"fixture_newer_model", "1.0.0", "fixture: from a newer SDK"}; }
  NewerModel(const json&, sdk::Host) {}
  json identity(sdk::Call&) override { return {{"backend", "fixture"}, {"model", "newer"}}; }
  json call(const json&, sdk::Call&) override { return {{"text", "newer"}}; }
};

}  // namespace

// Hand-written instead of TRUSTLLM_PLUGIN(...): identical except for abi_minor.
extern "C" TLM_EXPORT const tlm_plugin_info* trustllm_plugin_entry_v1(uint16_t, uint16_t) {
  static const tlm_component_desc* const components[] = {
      sdk::detail::describe<NewerModel>()};
  static const tlm_plugin_info info{sizeof(tlm_plugin_info), TLM_ABI_MAJOR, TLM_ABI_MINOR + 1,
                                    TRUSTLLM_SDK_VERSION, 1, components};
  return &info;
}
