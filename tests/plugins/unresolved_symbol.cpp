// Fixture "unresolved_symbol": the model calls an extern "C" function that nothing defines
// (think: a host-internal function a plugin author linked against by mistake). Linked without
// --no-undefined, so the library builds; loaded with RTLD_NOW the host must refuse it at load
// time with dlerror's "undefined symbol: tlm_fixture_function_nobody_defines" instead of
// crashing at the first call (Boost.DLL 1.74's default is lazy binding).
#include <trustllm/plugin.hpp>

namespace sdk = trustllm::sdk;
using sdk::json;

extern "C" const char* tlm_fixture_function_nobody_defines(void);

namespace {

class DanglingModel : public sdk::Model {
 public:
  static sdk::Meta meta() { return {"fixture_dangling_model", "1.0.0", "fixture: undefined symbol"}; }
  DanglingModel(const json&, sdk::Host) {}
  json identity(sdk::Call&) override { return {{"backend", "fixture"}}; }
  json call(const json&, sdk::Call&) override {
    return {{"text", tlm_fixture_function_nobody_defines()}};
  }
};

}  // namespace

TRUSTLLM_PLUGIN(DanglingModel)
