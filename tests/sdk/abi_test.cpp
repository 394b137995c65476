// ABI freeze: the layout of every struct in sdk/include/trustllm/abi.h as released in ABI 1.0.
//
// A plugin built for 1.0 must keep working with every 1.x host, so nothing released may move:
// reordering, removing, retyping or inserting a field breaks a static_assert below and the
// test stops compiling. Growing a struct AT ITS END (a new minor) is allowed: then the sizeof
// pins of that struct change on purpose — add the new fields' offsets under a new
// "ABI 1.<minor>" block, bump TLM_ABI_MINOR, and keep the 1.0 pins as they are (the SDK must
// still accept struct_size values of older minors).
//
// Pins are for LP64 targets (x86-64, AArch64 Linux), the only ones the project builds on.
// abi_c.c compiles abi.h as C and reports the same sizes as the C compiler sees them.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <trustllm/abi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <trustllm/plugin.hpp>
#include <type_traits>

static_assert(sizeof(void*) == 8 && sizeof(size_t) == 8 && alignof(uint64_t) == 8,
              "the ABI 1.0 pins below are for LP64 targets");

// ---- constants -----------------------------------------------------------------------------

static_assert(TLM_ABI_MAJOR == 1, "a new ABI major is a new entry symbol and a new freeze file");
static_assert(TLM_ABI_MINOR >= 0);
static_assert(std::string_view(TLM_ENTRY_SYMBOL) == "trustllm_plugin_entry_v1");

static_assert(TLM_OK == 0 && TLM_E_CONFIG == 1 && TLM_E_RUNTIME == 2 && TLM_E_UNSUPPORTED == 3 &&
              TLM_E_CANCELLED == 4 && TLM_E_RETRYABLE == 5 && TLM_E_REQUEST == 6 &&
              TLM_E_INPUT == 7 && TLM_E_NOT_FOUND == 8);
static_assert(TLM_KIND_DATASET == 1 && TLM_KIND_MODEL == 2 && TLM_KIND_METRIC == 3);
static_assert(TLM_LOG_DEBUG == 0 && TLM_LOG_INFO == 1 && TLM_LOG_WARN == 2 && TLM_LOG_ERROR == 3);
static_assert(TLM_CAP_CONCURRENT_CALLS == (1ull << 0) && TLM_CAP_MULTI_INSTANCE == (1ull << 1) &&
              TLM_CAP_CHAT == (1ull << 8) && TLM_CAP_EMBED == (1ull << 9) &&
              TLM_CAP_CLASSIFY == (1ull << 10));
// Enums travel by value as return types: their size is part of the ABI.
static_assert(sizeof(tlm_status) == 4 && sizeof(tlm_kind) == 4 && sizeof(tlm_log_level) == 4);

// ---- layouts -------------------------------------------------------------------------------

#define PIN_OFFSET(type, member, offset)                                                     \
  static_assert(offsetof(type, member) == (offset),                                          \
                #type "::" #member " moved: released ABI fields never move (append instead)")
#define PIN_FIELD(type, member, ...)                                                         \
  static_assert(std::is_same_v<decltype(type::member), __VA_ARGS__>,                         \
                #type "::" #member " changed type: released ABI fields keep their type")
#define PIN_SIZE(type, size)                                                                 \
  static_assert(sizeof(type) == (size), #type " changed size: grow only at the end, with a " \
                                               "new minor, and update this pin")

// tlm_str
PIN_OFFSET(tlm_str, data, 0);
PIN_OFFSET(tlm_str, size, 8);
PIN_FIELD(tlm_str, data, const char*);
PIN_FIELD(tlm_str, size, size_t);
PIN_SIZE(tlm_str, 16);

// tlm_sink
PIN_OFFSET(tlm_sink, ctx, 0);
PIN_OFFSET(tlm_sink, emit, 8);
PIN_FIELD(tlm_sink, ctx, void*);
PIN_FIELD(tlm_sink, emit, void (*)(void*, tlm_str));
PIN_SIZE(tlm_sink, 16);

// tlm_host_api
PIN_OFFSET(tlm_host_api, struct_size, 0);
PIN_OFFSET(tlm_host_api, abi_major, 4);
PIN_OFFSET(tlm_host_api, abi_minor, 6);
PIN_OFFSET(tlm_host_api, log, 8);
PIN_OFFSET(tlm_host_api, set_error, 16);
PIN_OFFSET(tlm_host_api, is_cancelled, 24);
PIN_OFFSET(tlm_host_api, set_retry_after, 32);
PIN_OFFSET(tlm_host_api, call_model, 40);
PIN_FIELD(tlm_host_api, struct_size, uint32_t);
PIN_FIELD(tlm_host_api, abi_major, uint16_t);
PIN_FIELD(tlm_host_api, abi_minor, uint16_t);
PIN_FIELD(tlm_host_api, log, void (*)(tlm_log_level, tlm_str, tlm_str));
PIN_FIELD(tlm_host_api, set_error, void (*)(tlm_call*, tlm_str));
PIN_FIELD(tlm_host_api, is_cancelled, int (*)(tlm_call*));
PIN_FIELD(tlm_host_api, set_retry_after, void (*)(tlm_call*, double));
PIN_FIELD(tlm_host_api, call_model, tlm_status (*)(tlm_call*, tlm_str, tlm_str, tlm_sink*));
PIN_SIZE(tlm_host_api, 48);

// The lifecycle functions every table shares.
using create_fn = tlm_status (*)(tlm_str, const tlm_host_api*, void**, tlm_call*);
using destroy_fn = void (*)(void*);

// tlm_dataset_vt
PIN_OFFSET(tlm_dataset_vt, struct_size, 0);
PIN_OFFSET(tlm_dataset_vt, create, 8);
PIN_OFFSET(tlm_dataset_vt, destroy, 16);
PIN_OFFSET(tlm_dataset_vt, info, 24);
PIN_OFFSET(tlm_dataset_vt, count, 32);
PIN_OFFSET(tlm_dataset_vt, read, 40);
PIN_FIELD(tlm_dataset_vt, struct_size, uint32_t);
PIN_FIELD(tlm_dataset_vt, create, create_fn);
PIN_FIELD(tlm_dataset_vt, destroy, destroy_fn);
PIN_FIELD(tlm_dataset_vt, info, tlm_status (*)(void*, tlm_sink*, tlm_call*));
PIN_FIELD(tlm_dataset_vt, count, tlm_status (*)(void*, uint64_t*, tlm_call*));
PIN_FIELD(tlm_dataset_vt, read, tlm_status (*)(void*, uint64_t, uint64_t, tlm_sink*, tlm_call*));
PIN_SIZE(tlm_dataset_vt, 48);

// tlm_model_vt
PIN_OFFSET(tlm_model_vt, struct_size, 0);
PIN_OFFSET(tlm_model_vt, create, 8);
PIN_OFFSET(tlm_model_vt, destroy, 16);
PIN_OFFSET(tlm_model_vt, identity, 24);
PIN_OFFSET(tlm_model_vt, call, 32);
PIN_FIELD(tlm_model_vt, struct_size, uint32_t);
PIN_FIELD(tlm_model_vt, create, create_fn);
PIN_FIELD(tlm_model_vt, destroy, destroy_fn);
PIN_FIELD(tlm_model_vt, identity, tlm_status (*)(void*, tlm_sink*, tlm_call*));
PIN_FIELD(tlm_model_vt, call, tlm_status (*)(void*, tlm_str, tlm_sink*, tlm_call*));
PIN_SIZE(tlm_model_vt, 40);

// tlm_metric_vt
PIN_OFFSET(tlm_metric_vt, struct_size, 0);
PIN_OFFSET(tlm_metric_vt, create, 8);
PIN_OFFSET(tlm_metric_vt, destroy, 16);
PIN_OFFSET(tlm_metric_vt, evaluate, 24);
PIN_OFFSET(tlm_metric_vt, aggregate_begin, 32);
PIN_OFFSET(tlm_metric_vt, aggregate_add, 40);
PIN_OFFSET(tlm_metric_vt, aggregate_end, 48);
PIN_FIELD(tlm_metric_vt, struct_size, uint32_t);
PIN_FIELD(tlm_metric_vt, create, create_fn);
PIN_FIELD(tlm_metric_vt, destroy, destroy_fn);
PIN_FIELD(tlm_metric_vt, evaluate, tlm_status (*)(void*, tlm_str, tlm_sink*, tlm_call*));
PIN_FIELD(tlm_metric_vt, aggregate_begin, tlm_status (*)(void*, void**, tlm_call*));
PIN_FIELD(tlm_metric_vt, aggregate_add, tlm_status (*)(void*, void*, tlm_str, tlm_str, tlm_call*));
PIN_FIELD(tlm_metric_vt, aggregate_end, tlm_status (*)(void*, void*, tlm_sink*, tlm_call*));
// ABI 1.1: tlm_metric_vt grew by aggregate_configure (the 1.0 size, 56, stays accepted: a host
// reads the new field only when struct_size covers it).
PIN_OFFSET(tlm_metric_vt, aggregate_configure, 56);
PIN_FIELD(tlm_metric_vt, aggregate_configure, tlm_status (*)(void*, void*, tlm_str, tlm_call*));
PIN_SIZE(tlm_metric_vt, 64);

// tlm_component_desc
PIN_OFFSET(tlm_component_desc, struct_size, 0);
PIN_OFFSET(tlm_component_desc, kind, 4);
PIN_OFFSET(tlm_component_desc, name, 8);
PIN_OFFSET(tlm_component_desc, version, 16);
PIN_OFFSET(tlm_component_desc, description, 24);
PIN_OFFSET(tlm_component_desc, license, 32);
PIN_OFFSET(tlm_component_desc, config_schema_json, 40);
PIN_OFFSET(tlm_component_desc, example_config_yaml, 48);
PIN_OFFSET(tlm_component_desc, capabilities, 56);
PIN_OFFSET(tlm_component_desc, max_concurrency, 64);
PIN_OFFSET(tlm_component_desc, vtable, 72);
PIN_FIELD(tlm_component_desc, struct_size, uint32_t);
PIN_FIELD(tlm_component_desc, kind, uint32_t);
PIN_FIELD(tlm_component_desc, name, const char*);
PIN_FIELD(tlm_component_desc, version, const char*);
PIN_FIELD(tlm_component_desc, description, const char*);
PIN_FIELD(tlm_component_desc, license, const char*);
PIN_FIELD(tlm_component_desc, config_schema_json, const char*);
PIN_FIELD(tlm_component_desc, example_config_yaml, const char*);
PIN_FIELD(tlm_component_desc, capabilities, uint64_t);
PIN_FIELD(tlm_component_desc, max_concurrency, uint32_t);
PIN_FIELD(tlm_component_desc, vtable, const void*);
PIN_SIZE(tlm_component_desc, 80);

// tlm_plugin_info
PIN_OFFSET(tlm_plugin_info, struct_size, 0);
PIN_OFFSET(tlm_plugin_info, abi_major, 4);
PIN_OFFSET(tlm_plugin_info, abi_minor, 6);
PIN_OFFSET(tlm_plugin_info, sdk_version, 8);
PIN_OFFSET(tlm_plugin_info, component_count, 16);
PIN_OFFSET(tlm_plugin_info, components, 24);
PIN_FIELD(tlm_plugin_info, struct_size, uint32_t);
PIN_FIELD(tlm_plugin_info, abi_major, uint16_t);
PIN_FIELD(tlm_plugin_info, abi_minor, uint16_t);
PIN_FIELD(tlm_plugin_info, sdk_version, const char*);
PIN_FIELD(tlm_plugin_info, component_count, size_t);
PIN_FIELD(tlm_plugin_info, components, const tlm_component_desc* const*);
PIN_SIZE(tlm_plugin_info, 32);

// The entry point.
static_assert(std::is_same_v<tlm_entry_fn, const tlm_plugin_info* (*)(uint16_t, uint16_t)>);

// ---- runtime -------------------------------------------------------------------------------

// Sizes of the same structs as the C compiler lays them out (abi_c.c).
extern "C" size_t tlm_abi_test_c_size(const char* type);

namespace {

struct Pinned {
  const char* type;
  size_t cxx_size;
  size_t pinned;
};

// Keep this table in step with the PIN_SIZE lines above.
const Pinned kPinned[] = {
    {"tlm_str", sizeof(tlm_str), 16},
    {"tlm_sink", sizeof(tlm_sink), 16},
    {"tlm_host_api", sizeof(tlm_host_api), 48},
    {"tlm_dataset_vt", sizeof(tlm_dataset_vt), 48},
    {"tlm_model_vt", sizeof(tlm_model_vt), 40},
    {"tlm_metric_vt", sizeof(tlm_metric_vt), 64},
    {"tlm_component_desc", sizeof(tlm_component_desc), 80},
    {"tlm_plugin_info", sizeof(tlm_plugin_info), 32},
    {"tlm_status", sizeof(tlm_status), 4},
};

namespace sdk = trustllm::sdk;

struct D : sdk::Dataset {
  static sdk::Meta meta() { return {"abi_d", "1.0.0", "d"}; }
  D(const sdk::json&, sdk::Host) {}
  sdk::json info(sdk::Call&) override { return {}; }
  uint64_t count(sdk::Call&) override { return 0; }
  void read(uint64_t, uint64_t, const std::function<void(const sdk::json&)>&, sdk::Call&) override {}
};
struct M : sdk::Model {
  static sdk::Meta meta() { return {"abi_m", "1.0.0", "m"}; }
  M(const sdk::json&, sdk::Host) {}
  sdk::json identity(sdk::Call&) override { return {}; }
  sdk::json call(const sdk::json&, sdk::Call&) override { return {}; }
};
struct X : sdk::Metric {
  static sdk::Meta meta() { return {"abi_x", "1.0.0", "x"}; }
  X(const sdk::json&, sdk::Host) {}
  sdk::json evaluate(const sdk::json&, sdk::Call&) override { return {}; }
  std::unique_ptr<sdk::Accumulator> begin(sdk::Call&) override { return nullptr; }
};

}  // namespace

TEST_CASE("sizes match the ABI 1.0 pins at run time, in C++ and in C") {
  for (const Pinned& p : kPinned) {
    CAPTURE(p.type);
    CHECK(p.cxx_size == p.pinned);
    CHECK(tlm_abi_test_c_size(p.type) == p.pinned);
  }
  CHECK(tlm_abi_test_c_size("tlm_component_desc.vtable") == offsetof(tlm_component_desc, vtable));
  CHECK(tlm_abi_test_c_size("tlm_host_api.call_model") == offsetof(tlm_host_api, call_model));
  CHECK(tlm_abi_test_c_size("tlm_metric_vt.aggregate_end") ==
        offsetof(tlm_metric_vt, aggregate_end));
  CHECK(tlm_abi_test_c_size("no such type") == 0);
}

TEST_CASE("the plugin-side SDK fills the tables with their full current sizes") {
  const tlm_plugin_info* info = sdk::detail::plugin_info<D, M, X>();
  REQUIRE(info != nullptr);
  CHECK(info->struct_size == sizeof(tlm_plugin_info));
  CHECK(info->abi_major == TLM_ABI_MAJOR);
  CHECK(info->abi_minor == TLM_ABI_MINOR);
  CHECK(std::string_view(info->sdk_version) == TRUSTLLM_SDK_VERSION);
  REQUIRE(info->component_count == 3);

  const tlm_component_desc* d = info->components[0];
  const tlm_component_desc* m = info->components[1];
  const tlm_component_desc* x = info->components[2];
  for (const tlm_component_desc* c : {d, m, x}) {
    CHECK(c->struct_size == sizeof(tlm_component_desc));
    CHECK(c->vtable != nullptr);
  }
  CHECK(d->kind == TLM_KIND_DATASET);
  CHECK(m->kind == TLM_KIND_MODEL);
  CHECK(x->kind == TLM_KIND_METRIC);
  CHECK(static_cast<const tlm_dataset_vt*>(d->vtable)->struct_size == sizeof(tlm_dataset_vt));
  CHECK(static_cast<const tlm_model_vt*>(m->vtable)->struct_size == sizeof(tlm_model_vt));
  CHECK(static_cast<const tlm_metric_vt*>(x->vtable)->struct_size == sizeof(tlm_metric_vt));
}
