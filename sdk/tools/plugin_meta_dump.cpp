// Writes the sidecar <name>.plugin.json of a freshly built plugin library at build time.
// It loads the library once, reads the static descriptors through the C ABI and prints JSON.
// Built by trustllm_add_plugin(); part of the SDK, not of the host.
#include <dlfcn.h>
#include <trustllm/abi.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

namespace {
const char* kind_name(uint32_t k) {
  switch (k) {
    case TLM_KIND_DATASET: return "dataset";
    case TLM_KIND_MODEL: return "model";
    case TLM_KIND_METRIC: return "metric";
    default: return "unknown";
  }
}
std::string or_empty(const char* s) { return s ? s : ""; }
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: plugin_meta_dump LIBRARY NAME OUTPUT.json\n";
    return 2;
  }
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    std::cerr << "plugin_meta_dump: cannot load " << argv[1] << ": " << dlerror() << "\n";
    return 1;
  }
  auto entry = reinterpret_cast<tlm_entry_fn>(dlsym(h, TLM_ENTRY_SYMBOL));
  if (!entry) {
    std::cerr << "plugin_meta_dump: " << argv[1] << " has no entry point " << TLM_ENTRY_SYMBOL
              << " — export it with TRUSTLLM_PLUGIN(...)\n";
    return 1;
  }
  const tlm_plugin_info* info = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR);
  if (!info) {
    std::cerr << "plugin_meta_dump: " << argv[1] << ": entry point returned nothing\n";
    return 1;
  }
  nlohmann::ordered_json out;
  out["name"] = argv[2];
  out["abi"] = {{"major", info->abi_major}, {"minor", info->abi_minor}};
  out["sdk_version"] = or_empty(info->sdk_version);
  out["components"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < info->component_count; ++i) {
    const tlm_component_desc* d = info->components[i];
    nlohmann::ordered_json c;
    c["name"] = or_empty(d->name);
    c["kind"] = kind_name(d->kind);
    c["version"] = or_empty(d->version);
    c["description"] = or_empty(d->description);
    c["license"] = or_empty(d->license);
    c["capabilities"] = d->capabilities;
    c["max_concurrency"] = d->max_concurrency;
    try {
      c["config_schema"] = nlohmann::ordered_json::parse(or_empty(d->config_schema_json));
    } catch (const std::exception& e) {
      std::cerr << "plugin_meta_dump: " << argv[1] << ": component '" << or_empty(d->name)
                << "' has an invalid config schema: " << e.what() << "\n";
      return 1;
    }
    c["example_config"] = or_empty(d->example_config_yaml);
    out["components"].push_back(c);
  }
  std::ofstream f(argv[3]);
  f << out.dump(2) << "\n";
  if (!f) {
    std::cerr << "plugin_meta_dump: cannot write " << argv[3] << "\n";
    return 1;
  }
  return 0;
}
