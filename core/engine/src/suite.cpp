#include <trustllm/engine/gates.hpp>
#include <trustllm/engine/suite.hpp>

#include <cstdlib>
#include <set>

namespace trustllm::engine {

using json = nlohmann::json;

namespace {

// The host's own keys; everything else in a plugin block is the plugin's config.
constexpr const char* kSuiteSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["tasks"],
  "properties": {
    "suite": {"type": "string", "default": "suite"},
    "description": {"type": "string"},
    "seed": {"type": "integer", "minimum": 0, "default": 0},
    "include": {"type": ["string", "array"]},
    "plugin_paths": {"type": "array", "items": {"type": "string"}, "default": []},
    "limit": {"type": "integer", "minimum": 1},
    "generation": {"type": "object"},
    "roles": {"type": "object", "default": {}},
    "gates": {"type": "array", "items": {"type": "string"}, "default": []},
    "report": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "published": {"type": "string", "minLength": 1},
        "views": {
          "type": "array",
          "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["id", "x", "y"],
            "properties": {
              "id": {"type": "string", "minLength": 1},
              "title": {"type": "string"},
              "x": {"type": "object", "required": ["task", "metric"]},
              "y": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["task", "metric"]}}
            }
          }
        }
      }
    },
    "tasks": {
      "type": "array",
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "dataset", "metrics"],
        "properties": {
          "id": {"type": "string", "minLength": 1},
          "dimension": {"type": "string", "default": ""},
          "dataset": {"type": "object", "required": ["plugin"], "properties": {"plugin": {"type": "string"}}},
          "metrics": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["plugin"], "properties": {"plugin": {"type": "string"}}}},
          "limit": {"type": "integer", "minimum": 1},
          "generation": {"type": "object"},
          "same_items_as": {"type": "string", "minLength": 1},
          "derived": {
            "type": "array",
            "items": {
              "type": "object",
              "additionalProperties": false,
              "required": ["metric", "mean_of"],
              "properties": {
                "metric": {"type": "string", "minLength": 1},
                "mean_of": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "direction": {"type": "string", "enum": ["higher_is_better", "lower_is_better"], "default": "higher_is_better"}
              }
            }
          }
        }
      }
    }
  }
})";

constexpr const char* kRoleSchema = R"({
  "type": "object",
  "required": ["plugin"],
  "properties": {
    "plugin": {"type": "string"},
    "max_concurrency": {"type": "integer", "minimum": 1},
    "request_timeout": {"type": "number", "exclusiveMinimum": 0},
    "retry": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "max_attempts": {"type": "integer", "minimum": 1, "default": 6},
        "base_delay": {"type": "number", "minimum": 0, "default": 0.5},
        "max_delay": {"type": "number", "minimum": 0, "default": 30}
      }
    }
  }
})";

const std::set<std::string> kRoleHostKeys = {"plugin", "max_concurrency", "request_timeout",
                                             "retry"};

config::LoadOptions load_options(const SuiteOptions& o) {
  config::LoadOptions lo;
  auto vars = o.variables;
  lo.getenv = [vars](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
  return lo;
}

[[noreturn]] void fail(const config::Document& doc, const std::string& pointer,
                       const std::string& message) {
  throw config::ConfigError(doc.where(pointer), doc.human_path(pointer), message, "");
}

// Resolves a plugin block: name lookup (with "did you mean"), config split and validation.
PluginRef resolve_plugin(const config::Document& doc, const std::string& pointer,
                         const json& block, tlm_kind kind, plugin::Registry& registry,
                         const std::set<std::string>& host_keys) {
  PluginRef ref;
  ref.pointer = pointer;
  ref.file = doc.where(pointer).file;
  ref.plugin = block.at("plugin").get<std::string>();
  const plugin::ComponentInfo* info = nullptr;
  try {
    info = &registry.find(ref.plugin, kind);
  } catch (const plugin::PluginError& e) {
    fail(doc, pointer + "/plugin", e.what());
  }
  json cfg = json::object();
  for (auto& [k, v] : block.items()) {
    if (!host_keys.count(k)) cfg[k] = v;
  }
  config::validate_and_default(cfg, info->config_schema, doc, pointer);
  ref.config = cfg;
  return ref;
}

fs::path relative_to(const fs::path& base_file, const std::string& p) {
  fs::path path(p);
  if (path.is_relative()) path = base_file.parent_path() / path;
  return path.lexically_normal();
}

// The suite's `report:` block for the manifest: views as written, and the published
// leaderboard file (relative to the file that names it) loaded as JSON. The host does not look
// inside; reports and `trustllm compare` read it from manifest.json.
json load_report_data(const config::Document& doc) {
  json out = json::object();
  if (!doc.value.contains("report")) return out;
  const json& r = doc.value["report"];
  if (r.contains("views")) out["views"] = r["views"];
  if (r.contains("published")) {
    const std::string ptr = "/report/published";
    fs::path f = relative_to(fs::path(doc.where(ptr).file), r["published"].get<std::string>());
    if (!fs::exists(f)) {
      fail(doc, ptr, "published leaderboard file not found: " + f.string() +
                         " — fix the path (relative to the suite file) or remove the key");
    }
    config::Document pub = config::load_file(f);
    if (!pub.value.is_object() || !pub.value.contains("metrics") ||
        !pub.value["metrics"].is_array()) {
      throw config::ConfigError(f.string() +
                                ": a published leaderboard is a map with metrics: [...] — see "
                                "configs/leaderboard/");
    }
    out["published"] = pub.value;
    out["published_file"] = f.string();
  }
  return out;
}

RoleBinding binding_from(const std::string& role, const config::Document& doc,
                         const std::string& pointer, const json& block,
                         plugin::Registry& registry) {
  json host = json::object();
  for (auto& [k, v] : block.items()) {
    if (kRoleHostKeys.count(k)) host[k] = v;
  }
  config::validate_and_default(host, json::parse(kRoleSchema), doc, pointer);
  RoleBinding b;
  b.role = role;
  b.source = doc.where(pointer).file;
  b.model = resolve_plugin(doc, pointer, block, TLM_KIND_MODEL, registry, kRoleHostKeys);
  b.max_concurrency = host.value("max_concurrency", 0u);
  if (host.contains("retry")) {
    const json& r = host["retry"];
    b.retry.max_attempts = r.value("max_attempts", 6);
    b.retry.base_delay = r.value("base_delay", 0.5);
    b.retry.max_delay = r.value("max_delay", 30.0);
  }
  b.retry.request_timeout = host.value("request_timeout", 0.0);
  b.redacted = config::redact_secrets(b.model.config, doc, pointer);
  return b;
}

}  // namespace

RoleBinding load_role_file(const std::string& role, const fs::path& file,
                           plugin::Registry& registry, const SuiteOptions& options) {
  config::Document doc = config::load_file(file, load_options(options));
  if (!doc.value.is_object()) {
    throw config::ConfigError(file.string() + ": a model file is a map with at least plugin: "
                                              "<model plugin> — see configs/models/");
  }
  if (!doc.value.contains("plugin")) fail(doc, "", "missing required key 'plugin' — add plugin: <model plugin> (see trustllm plugins)");
  return binding_from(role, doc, "", doc.value, registry);
}

Suite load_suite(const fs::path& file, plugin::Registry& registry, const SuiteOptions& options) {
  if (!fs::exists(file)) {
    throw config::ConfigError(file.string() + ": suite file not found — check the path");
  }
  config::Document doc = config::load_file(file, load_options(options));
  for (const auto& o : options.overrides) config::apply_override(doc, o);
  if (!doc.value.is_object()) {
    throw config::ConfigError(file.string() + ": a suite is a map with tasks: — see configs/trustllm/");
  }
  config::validate_and_default(doc.value, json::parse(kSuiteSchema), doc, "");

  Suite s;
  s.file = fs::weakly_canonical(file);
  s.name = doc.value.value("suite", std::string("suite"));
  s.seed = doc.value.value("seed", uint64_t{0});
  const json& paths = doc.value["plugin_paths"];
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string ptr = "/plugin_paths/" + std::to_string(i);
    fs::path p = relative_to(fs::path(doc.where(ptr).file), paths[i].get<std::string>());
    s.plugin_paths.push_back(p);
    registry.add_search_dir(p);
  }

  // Roles: the suite's, then files from the command line, then inline bindings.
  const json& roles = doc.value["roles"];
  for (auto& [role, v] : roles.items()) {
    const std::string ptr = "/roles/" + role;
    if (options.role_files.count(role) || options.role_inline.count(role)) continue;
    if (v.is_string()) {
      // Relative to the file that wrote it (an included file may bind the role).
      fs::path f = relative_to(fs::path(doc.where(ptr).file), v.get<std::string>());
      if (!fs::exists(f)) {
        fail(doc, ptr, "model file not found: " + f.string() +
                           " — fix the path (relative to the suite file) or pass " +
                           (role == "model" || role == "judge" ? "--" + role + " FILE.yaml"
                                                               : "--role " + role + "=FILE.yaml"));
      }
      s.roles[role] = load_role_file(role, f, registry, options);
    } else if (v.is_object()) {
      if (!v.contains("plugin")) fail(doc, ptr, "missing required key 'plugin' — add plugin: <model plugin>");
      s.roles[role] = binding_from(role, doc, ptr, v, registry);
    } else {
      fail(doc, ptr, "expected a model file path or a map with plugin: — e.g. model: ../models/stories260k.yaml");
    }
  }
  for (const auto& [role, f] : options.role_files) {
    if (!fs::exists(f)) {
      throw config::ConfigError("--" + role + " " + f.string() + ": model file not found");
    }
    s.roles[role] = load_role_file(role, f, registry, options);
  }
  for (const auto& [role, block] : options.role_inline) {
    config::Document inline_doc;
    inline_doc.value = block;
    s.roles[role] = binding_from(role, inline_doc, "", block, registry);
    s.roles[role].source = "(command line)";
  }

  // Release gates, checked after the run (exit code 3 when one fails).
  for (size_t i = 0; i < doc.value["gates"].size(); ++i) {
    s.gates.push_back(parse_gate(doc.value["gates"][i].get<std::string>(),
                                 doc.locate("/gates/" + std::to_string(i)) + ": gates[" +
                                     std::to_string(i) + "]"));
  }

  s.report = load_report_data(doc);

  // Tasks.
  std::optional<uint64_t> suite_limit;
  if (doc.value.contains("limit")) suite_limit = doc.value["limit"].get<uint64_t>();
  json suite_gen = doc.value.value("generation", json::object());
  std::set<std::string> ids;
  const json& tasks = doc.value["tasks"];
  for (size_t i = 0; i < tasks.size(); ++i) {
    const std::string tp = "/tasks/" + std::to_string(i);
    const json& t = tasks[i];
    TaskSpec spec;
    spec.id = t["id"].get<std::string>();
    if (!ids.insert(spec.id).second) {
      fail(doc, tp + "/id", "task id '" + spec.id + "' appears twice — give each task its own id");
    }
    spec.dimension = t.value("dimension", std::string());
    spec.dataset = resolve_plugin(doc, tp + "/dataset", t["dataset"], TLM_KIND_DATASET, registry,
                                  {"plugin"});
    const json& ms = t["metrics"];
    for (size_t j = 0; j < ms.size(); ++j) {
      spec.metrics.push_back(resolve_plugin(doc, tp + "/metrics/" + std::to_string(j), ms[j],
                                            TLM_KIND_METRIC, registry, {"plugin"}));
    }
    spec.seed_key = t.value("same_items_as", spec.id);
    if (t.contains("limit")) spec.limit = t["limit"].get<uint64_t>();
    else spec.limit = suite_limit;
    spec.generation = suite_gen;
    const json task_gen = t.value("generation", json::object());
    for (auto& [k, v] : task_gen.items()) spec.generation[k] = v;
    for (const json& d : t.value("derived", json::array())) {
      spec.derived.push_back({d["metric"].get<std::string>(),
                              d["mean_of"].get<std::vector<std::string>>(),
                              d.value("direction", std::string("higher_is_better"))});
    }
    s.tasks.push_back(std::move(spec));
  }
  s.resolved_redacted = config::redact_secrets(doc.value, doc, "");
  return s;
}

}  // namespace trustllm::engine
