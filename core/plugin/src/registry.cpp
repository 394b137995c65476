#include <dlfcn.h>
#include <trustllm/plugin/registry.hpp>
#include <unistd.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <trustllm/config/config.hpp>

namespace trustllm::plugin {

const char* kind_name(tlm_kind kind) {
  switch (kind) {
    case TLM_KIND_DATASET: return "dataset";
    case TLM_KIND_MODEL: return "model";
    case TLM_KIND_METRIC: return "metric";
  }
  return "unknown";
}

bool parse_kind(std::string_view name, tlm_kind& out) {
  if (name == "dataset") out = TLM_KIND_DATASET;
  else if (name == "model") out = TLM_KIND_MODEL;
  else if (name == "metric") out = TLM_KIND_METRIC;
  else return false;
  return true;
}

namespace {

std::mutex g_libraries_mutex;
// Process-lifetime registry: libraries are never unloaded.
std::map<std::string, std::shared_ptr<const LoadedLibrary>>& libraries() {
  static auto* m = new std::map<std::string, std::shared_ptr<const LoadedLibrary>>();
  return *m;
}

std::string version_string(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

std::shared_ptr<const LoadedLibrary> load_library(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  if (ec) canonical = path;
  std::lock_guard lock(g_libraries_mutex);
  auto& libs = libraries();
  if (auto it = libs.find(canonical.string()); it != libs.end()) return it->second;

  if (!fs::exists(canonical)) {
    throw PluginError(canonical.string() + ": plugin library not found — rebuild (make) or fix "
                                           "the sidecar next to it");
  }
  auto lib = std::make_shared<boost::dll::shared_library>();
  try {
    auto mode = boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local |
                static_cast<boost::dll::load_mode::type>(RTLD_NODELETE);
    lib->load(canonical, mode);
  } catch (const std::exception& e) {
    std::string why = e.what();
    throw PluginError(canonical.string() + ": cannot load plugin: " + why +
                      " — run ldd on it to check its dependencies, or rebuild it");
  }
  if (!lib->has(TLM_ENTRY_SYMBOL)) {
    throw PluginError(canonical.string() + ": entry point " TLM_ENTRY_SYMBOL
                                           " not found — is this a trustllm plugin? Export it "
                                           "with TRUSTLLM_PLUGIN(...)");
  }
  auto entry = lib->get<const tlm_plugin_info*(uint16_t, uint16_t)>(TLM_ENTRY_SYMBOL);
  const tlm_plugin_info* info = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR);
  if (!info) {
    throw PluginError(canonical.string() + ": entry point returned no plugin info — rebuild the "
                                           "plugin");
  }
  if (info->struct_size < offsetof(tlm_plugin_info, components) + sizeof(info->components)) {
    throw PluginError(canonical.string() + ": plugin info is truncated (struct_size " +
                      std::to_string(info->struct_size) + ") — rebuild the plugin");
  }
  if (info->abi_major != TLM_ABI_MAJOR) {
    throw PluginError(canonical.string() + ": built for trustllm ABI " +
                      version_string(info->abi_major, info->abi_minor) +
                      ", this host supports ABI " + version_string(TLM_ABI_MAJOR, TLM_ABI_MINOR) +
                      " — rebuild the plugin against SDK " + std::to_string(TLM_ABI_MAJOR) +
                      ".x");
  }
  if (info->abi_minor > TLM_ABI_MINOR) {
    throw PluginError(canonical.string() + ": built for trustllm ABI " +
                      version_string(info->abi_major, info->abi_minor) +
                      ", newer than this host's ABI " +
                      version_string(TLM_ABI_MAJOR, TLM_ABI_MINOR) +
                      " — upgrade trustllm or rebuild the plugin against this SDK");
  }
  for (size_t i = 0; i < info->component_count; ++i) {
    const tlm_component_desc* d = info->components[i];
    if (!d || d->struct_size < offsetof(tlm_component_desc, vtable) + sizeof(void*) || !d->name ||
        !d->vtable) {
      throw PluginError(canonical.string() + ": component " + std::to_string(i) +
                        " has an incomplete descriptor — rebuild the plugin");
    }
  }
  auto loaded = std::make_shared<LoadedLibrary>();
  loaded->path = canonical;
  loaded->info = info;
  loaded->pin = std::shared_ptr<const void>(lib, lib.get());
  libs.emplace(canonical.string(), loaded);
  return loaded;
}

std::vector<ComponentInfo> read_sidecar(const fs::path& sidecar) {
  std::ifstream in(sidecar);
  if (!in) throw PluginError(sidecar.string() + ": cannot read plugin sidecar");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw PluginError(sidecar.string() + ": invalid JSON in plugin sidecar (" + e.what() +
                      ") — rebuild the plugin to regenerate it");
  }
  std::vector<ComponentInfo> out;
  try {
    std::string lib_name = j.at("name").get<std::string>();
    fs::path lib = sidecar.parent_path() / (lib_name + ".so");
    for (const auto& c : j.at("components")) {
      ComponentInfo ci;
      ci.name = c.at("name").get<std::string>();
      if (!parse_kind(c.at("kind").get<std::string>(), ci.kind)) {
        throw PluginError(sidecar.string() + ": component '" + ci.name + "' has unknown kind '" +
                          c.at("kind").get<std::string>() + "'");
      }
      ci.version = c.value("version", "");
      ci.description = c.value("description", "");
      ci.license = c.value("license", "");
      ci.config_schema = c.value("config_schema", nlohmann::json::object());
      ci.example_config = c.value("example_config", "");
      ci.capabilities = c.value("capabilities", uint64_t{0});
      ci.max_concurrency = c.value("max_concurrency", uint32_t{0});
      ci.library = lib;
      ci.sidecar = sidecar;
      out.push_back(std::move(ci));
    }
  } catch (const nlohmann::json::exception& e) {
    throw PluginError(sidecar.string() + ": malformed plugin sidecar (" + e.what() +
                      ") — rebuild the plugin to regenerate it");
  }
  return out;
}

void Registry::add_search_dir(const fs::path& dir) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(dir, ec);
  if (ec) c = dir;
  if (std::find(dirs_.begin(), dirs_.end(), c) != dirs_.end()) return;
  dirs_.push_back(c);
  scan(c);
}

void Registry::scan(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> sidecars;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 12 && n.ends_with(".plugin.json")) sidecars.push_back(e.path());
  }
  std::sort(sidecars.begin(), sidecars.end());
  for (const auto& s : sidecars) {
    try {
      for (auto& c : read_sidecar(s)) {
        if (contains(c.name, c.kind)) {
          warnings_.push_back(s.string() + ": " + kind_name(c.kind) + " '" + c.name +
                              "' is already provided by " + find(c.name, c.kind).sidecar.string() +
                              "; this one is ignored");
          continue;
        }
        components_.push_back(std::move(c));
      }
    } catch (const std::exception& e) {
      warnings_.push_back(e.what());
    }
  }
}

std::vector<ComponentInfo> Registry::list() const { return components_; }

bool Registry::contains(std::string_view name, tlm_kind kind) const {
  return std::any_of(components_.begin(), components_.end(),
                     [&](const ComponentInfo& c) { return c.name == name && c.kind == kind; });
}

const ComponentInfo& Registry::find(std::string_view name, tlm_kind kind) const {
  for (const auto& c : components_) {
    if (c.name == name && c.kind == kind) return c;
  }
  std::vector<std::string> names;
  for (const auto& c : components_) {
    if (c.kind == kind) names.push_back(c.name);
  }
  std::string msg = std::string("unknown ") + kind_name(kind) + " plugin '" + std::string(name) +
                    "'";
  std::string suggestion = config::did_you_mean(name, names);
  if (!suggestion.empty()) {
    msg += " — did you mean '" + suggestion + "'?";
  } else {
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    msg += " — available: " + (all.empty() ? std::string("none") : all) +
           " (see `trustllm plugins`, or add its folder to TRUSTLLM_PLUGIN_PATH)";
  }
  throw PluginError(msg);
}

host::Component Registry::load(std::string_view name, tlm_kind kind) const {
  const ComponentInfo& ci = find(name, kind);
  auto lib = load_library(ci.library);
  for (size_t i = 0; i < lib->info->component_count; ++i) {
    const tlm_component_desc* d = lib->info->components[i];
    if (ci.name == d->name && d->kind == static_cast<uint32_t>(kind)) {
      if (ci.version != (d->version ? d->version : "")) {
        throw PluginError(ci.sidecar.string() + ": sidecar says version " + ci.version +
                          " but the library says " + (d->version ? d->version : "") +
                          " — rebuild the plugin to regenerate the sidecar");
      }
      host::Component c;
      c.desc = d;
      c.library = lib->pin;
      c.path = lib->path.string();
      return c;
    }
  }
  throw PluginError(ci.library.string() + ": sidecar lists " + kind_name(kind) + " '" + ci.name +
                    "' but the library does not provide it — rebuild the plugin");
}

std::vector<fs::path> default_search_dirs() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path() / "plugins");
  if (const char* env = std::getenv("TRUSTLLM_PLUGIN_PATH")) {
    std::stringstream ss(env);
    std::string part;
    while (std::getline(ss, part, ':')) {
      if (!part.empty()) dirs.emplace_back(part);
    }
  }
  return dirs;
}

}  // namespace trustllm::plugin
