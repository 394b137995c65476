/* The ABI header compiled as C (it is the C contract): the same 1.0 pins as abi_test.cpp, and
 * the sizes as the C compiler lays the structs out, for a run-time comparison with C++. */
#include <trustllm/abi.h>

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(tlm_str) == 16, "tlm_str changed size");
_Static_assert(sizeof(tlm_sink) == 16, "tlm_sink changed size");
_Static_assert(sizeof(tlm_host_api) == 48, "tlm_host_api changed size");
_Static_assert(offsetof(tlm_host_api, call_model) == 40, "tlm_host_api::call_model moved");
_Static_assert(sizeof(tlm_dataset_vt) == 48, "tlm_dataset_vt changed size");
_Static_assert(sizeof(tlm_model_vt) == 40, "tlm_model_vt changed size");
_Static_assert(offsetof(tlm_metric_vt, aggregate_configure) == 56, "aggregate_configure moved");
_Static_assert(sizeof(tlm_metric_vt) == 64, "tlm_metric_vt changed size"); /* 56 in ABI 1.0 */
_Static_assert(offsetof(tlm_component_desc, capabilities) == 56, "capabilities moved");
_Static_assert(offsetof(tlm_component_desc, vtable) == 72, "vtable moved");
_Static_assert(sizeof(tlm_component_desc) == 80, "tlm_component_desc changed size");
_Static_assert(offsetof(tlm_plugin_info, components) == 24, "components moved");
_Static_assert(sizeof(tlm_plugin_info) == 32, "tlm_plugin_info changed size");

size_t tlm_abi_test_c_size(const char* type);

size_t tlm_abi_test_c_size(const char* type) {
  static const struct {
    const char* name;
    size_t value;
  } table[] = {
      {"tlm_str", sizeof(tlm_str)},
      {"tlm_sink", sizeof(tlm_sink)},
      {"tlm_host_api", sizeof(tlm_host_api)},
      {"tlm_dataset_vt", sizeof(tlm_dataset_vt)},
      {"tlm_model_vt", sizeof(tlm_model_vt)},
      {"tlm_metric_vt", sizeof(tlm_metric_vt)},
      {"tlm_component_desc", sizeof(tlm_component_desc)},
      {"tlm_plugin_info", sizeof(tlm_plugin_info)},
      {"tlm_status", sizeof(tlm_status)},
      {"tlm_component_desc.vtable", offsetof(tlm_component_desc, vtable)},
      {"tlm_host_api.call_model", offsetof(tlm_host_api, call_model)},
      {"tlm_metric_vt.aggregate_end", offsetof(tlm_metric_vt, aggregate_end)},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i) {
    if (strcmp(table[i].name, type) == 0) return table[i].value;
  }
  return 0;
}
