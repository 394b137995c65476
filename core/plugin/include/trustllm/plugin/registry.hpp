// Plugin discovery, loading and the ABI handshake.
//
// Discovery reads sidecars (<name>.plugin.json) from the search folders in order, so listing
// plugins and resolving names in YAML never runs plugin code. A library is loaded only when one
// of its components is used; it is then cross-checked against its sidecar and kept loaded for
// the rest of the process (never unloaded).
#pragma once

#include <trustllm/abi.h>
#include <trustllm/host.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace trustllm::plugin {

namespace fs = std::filesystem;

// A loading or lookup problem; the message is one line naming the file and the fix.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const char* kind_name(tlm_kind kind);
bool parse_kind(std::string_view name, tlm_kind& out);

struct ComponentInfo {
  std::string name;
  tlm_kind kind = TLM_KIND_DATASET;
  std::string version;
  std::string description;
  std::string license;
  nlohmann::json config_schema;
  std::string example_config;
  uint64_t capabilities = 0;
  uint32_t max_concurrency = 0;
  fs::path library;  // the .so
  fs::path sidecar;  // the .plugin.json
};

// A loaded library: its handshake passed; kept for the life of the process.
struct LoadedLibrary {
  fs::path path;
  const tlm_plugin_info* info = nullptr;
  host::Library pin;  // keeps the library mapped
};

// Loads a library with RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE and checks the handshake.
// The same canonical path is loaded once per process.
std::shared_ptr<const LoadedLibrary> load_library(const fs::path& path);

// Reads one sidecar file.
std::vector<ComponentInfo> read_sidecar(const fs::path& sidecar);

class Registry {
 public:
  // Folders are searched in the order they are added; the first component of a name wins.
  void add_search_dir(const fs::path& dir);
  const std::vector<fs::path>& search_dirs() const { return dirs_; }

  // All components found, in search order.
  std::vector<ComponentInfo> list() const;

  // The component of that name and kind, or a PluginError with "did you mean".
  const ComponentInfo& find(std::string_view name, tlm_kind kind) const;
  bool contains(std::string_view name, tlm_kind kind) const;

  // Loads the component's library (once) and returns its descriptor, cross-checked with
  // the sidecar.
  host::Component load(std::string_view name, tlm_kind kind) const;

  // Problems found while scanning (bad sidecars, duplicates), for `trustllm plugins`.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void scan(const fs::path& dir);
  std::vector<fs::path> dirs_;
  std::vector<ComponentInfo> components_;
  std::vector<std::string> warnings_;
};

// The default search path: <folder of the executable>/plugins, then TRUSTLLM_PLUGIN_PATH
// (colon-separated). Suites add their plugin_paths after these.
std::vector<fs::path> default_search_dirs();

}  // namespace trustllm::plugin
