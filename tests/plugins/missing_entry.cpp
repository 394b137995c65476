// Fixture "missing_entry": looks like a plugin but exports a misspelt entry point
// (trustllm_plugin_entry, no _v1). The host must refuse it naming trustllm_plugin_entry_v1.
#include <trustllm/plugin.hpp>

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class OrphanModel : public sdk::Model {
 public:
  static sdk::Meta meta() { return {"fixture_orphan_model", "1.0.0", "fixture: no entry"}; }
  OrphanModel(const json&, sdk::Host) {}
  json identity(sdk::Call&) override { return {{"backend", "fixture"}}; }
  json call(const json&, sdk::Call&) override { return {{"text", "orphan"}}; }
};

}  // namespace

extern "C" TLM_EXPORT const tlm_plugin_info* trustllm_plugin_entry(uint16_t, uint16_t) {
  return sdk::detail::plugin_info<OrphanModel>();
}
