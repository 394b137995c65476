#include "replay_model.hpp"

#include "trustllm_common/json_file.hpp"

namespace trustllm::replay {
namespace {

constexpr const char* kSchema = R"json({
  "type": "object",
  "description": "Replays recorded answers from a result tree (the toolkit's generation_results/<model>/ layout).",
  "additionalProperties": false,
  "required": ["dir"],
  "properties": {
    "dir": {
      "type": "string",
      "description": "Root of the result tree: holds <section>/<file>.json with the same items, in the same order, as the dataset file."
    },
    "field": {
      "type": "string",
      "default": "res",
      "description": "Key of the recorded answer in each item (the toolkit writes res)."
    }
  }
})json";

constexpr const char* kExample = R"yaml(# a model entry that replays recorded answers
model:
  plugin: replay
  config:
    dir: ../shared/parity     # root of the result tree (holds safety/jailbreak.json, ...)
    field: res
)yaml";

}  // namespace

sdk::Meta ReplayModel::meta() {
  sdk::Meta m{"replay", "1.0.0",
              "Replays recorded answers (item[index].res) from a result tree, keyed by the "
              "request's context.source file and index"};
  m.config_schema = kSchema;
  m.example_config = kExample;
  m.capabilities = TLM_CAP_CONCURRENT_CALLS | TLM_CAP_CHAT;
  return m;
}

ReplayModel::ReplayModel(const json& config, sdk::Host) {
  if (!config.is_object()) throw sdk::config_error("", "configuration must be an object");
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it.key() != "dir" && it.key() != "field") {
      throw sdk::config_error("/" + it.key(), "unknown key (allowed: dir, field)");
    }
  }
  auto dir = config.find("dir");
  if (dir == config.end() || !dir->is_string() || dir->get<std::string>().empty()) {
    throw sdk::config_error("/dir", "required: the root folder of the recorded result tree");
  }
  dir_ = std::filesystem::absolute(dir->get<std::string>()).lexically_normal();
  if (auto f = config.find("field"); f != config.end()) {
    if (!f->is_string() || f->get<std::string>().empty()) {
      throw sdk::config_error("/field", "must be a non-empty string");
    }
    field_ = f->get<std::string>();
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) {
    throw sdk::Error(TLM_E_NOT_FOUND, dir_.string() + ": result tree not found (config /dir)");
  }
}

json ReplayModel::identity(sdk::Call&) {
  std::string d = dir_.string();
  return json{{"backend", "replay"},
              {"model", "replay:" + d},
              {"endpoint", "file://" + d},
              {"cacheable", false}};
}

size_t ReplayModel::files_loaded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loaded_;
}

std::shared_ptr<const json> ReplayModel::load(const std::string& rel) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = files_[rel];
    if (!slot) slot = std::make_shared<Entry>();
    e = slot;
  }
  // One thread parses a file; others asking for the same file wait here, not on the whole cache.
  std::lock_guard<std::mutex> lock(e->mu);
  if (!e->items) {
    data::ReadOptions opts;
    opts.not_found_hint = "no recorded answers for this file under the replay dir";
    e->items = std::make_shared<const json>(data::read_json_array(dir_ / rel, opts));
    std::lock_guard<std::mutex> count_lock(mu_);
    ++loaded_;
  }
  return e->items;
}

json ReplayModel::answer(const json& request) {
  if (!request.is_object()) throw sdk::Error(TLM_E_INPUT, "replay: the request must be an object");
  if (auto op = request.find("op"); op != request.end() && *op != "chat") {
    throw sdk::Error(TLM_E_UNSUPPORTED, "replay: only op \"chat\" is supported, not " + op->dump());
  }
  const json* source = nullptr;
  if (auto ctx = request.find("context"); ctx != request.end() && ctx->is_object()) {
    if (auto s = ctx->find("source"); s != ctx->end() && s->is_object()) source = &*s;
  }
  if (!source || !source->contains("file") || !(*source)["file"].is_string() ||
      !source->contains("index") || !(*source)["index"].is_number_unsigned()) {
    throw sdk::Error(TLM_E_INPUT,
                     "replay: the request has no context.source {file, index}; replay can only "
                     "answer requests for dataset items");
  }
  const std::string rel = (*source)["file"].get<std::string>();
  const uint64_t index = (*source)["index"].get<uint64_t>();
  std::filesystem::path relp(rel);
  if (rel.empty() || relp.is_absolute()) {
    throw sdk::Error(TLM_E_INPUT, "replay: context.source.file must be a relative path: " + rel);
  }
  for (const auto& part : relp) {
    if (part == "..") throw sdk::Error(TLM_E_INPUT, "replay: '..' not allowed in " + rel);
  }

  std::shared_ptr<const json> items = load(rel);
  if (index >= items->size()) {
    throw sdk::Error(TLM_E_INPUT, (dir_ / rel).string() + ": item " + std::to_string(index) +
                                      " out of range (the file has " +
                                      std::to_string(items->size()) + " items)");
  }
  const json& item = (*items)[index];
  const json* value = nullptr;
  if (item.is_object()) {
    if (auto v = item.find(field_); v != item.end()) value = &*v;
  }
  if (!value || value->is_null()) return json{{"text", nullptr}, {"finish_reason", "error"}};
  if (!value->is_string()) {
    throw sdk::Error(TLM_E_INPUT, (dir_ / rel).string() + " item " + std::to_string(index) + ": '" +
                                      field_ + "' is " + value->type_name() + ", not a string");
  }
  return json{{"text", *value}, {"finish_reason", "stop"}};
}

json ReplayModel::call(const json& request, sdk::Call& call) {
  call.throw_if_cancelled();
  return answer(request);
}

}  // namespace trustllm::replay
