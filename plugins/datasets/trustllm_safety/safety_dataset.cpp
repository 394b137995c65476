#include "safety_dataset.hpp"

#include <filesystem>

namespace trustllm::safety {
namespace {

constexpr const char* kSchema = R"json({
  "type": "object",
  "description": "TrustLLM safety dataset (jailbreak, misuse, exaggerated safety).",
  "additionalProperties": false,
  "required": ["task", "data_dir"],
  "properties": {
    "task": {
      "type": "string",
      "enum": ["jailbreak", "misuse", "exaggerated_safety"],
      "description": "Which safety file to read: jailbreak -> safety/jailbreak.json (1400 items), misuse -> safety/misuse.json (1174), exaggerated_safety -> safety/exaggerated_safety.json (200)."
    },
    "data_dir": {
      "type": "string",
      "description": "Folder holding safety/<task>.json: the TrustLLM data folder (TRUSTLLM_DATA_DIR) or an imported result tree of the same layout."
    },
    "verify_checksum": {
      "type": "boolean",
      "default": true,
      "description": "Check the file's sha256 against <data_dir>/MANIFEST.tsv when that manifest exists (result trees have none, so nothing is checked there)."
    },
    "max_tokens": {
      "type": "integer",
      "minimum": 1,
      "default": 512,
      "description": "Maximum new tokens per generated answer (TrustLLM uses 512)."
    }
  }
})json";

constexpr const char* kExample = R"yaml(# one dataset entry of a suite
dataset:
  plugin: trustllm_safety
  config:
    task: jailbreak            # jailbreak | misuse | exaggerated_safety
    data_dir: ${TRUSTLLM_DATA_DIR}
    verify_checksum: true
    max_tokens: 512
)yaml";

const char* kNotFoundHint = "set TRUSTLLM_DATA_DIR or data_dir";

std::string item_error(const std::string& file, size_t index, const std::string& what) {
  return file + " item " + std::to_string(index) + ": " + what;
}

// The sub-type used for stratified sampling (see the header).
std::string stratum_of(const std::string& task, const json& item, const std::string& file,
                       size_t index) {
  auto need_string = [&](const char* key) -> std::string {
    auto it = item.find(key);
    if (it == item.end() || !it->is_string()) {
      throw sdk::Error(TLM_E_INPUT,
                       item_error(file, index, std::string("'") + key + "' must be a string"));
    }
    return it->get<std::string>();
  };
  if (task == "jailbreak") {
    auto it = item.find("label");
    if (it == item.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) {
      throw sdk::Error(TLM_E_INPUT, item_error(file, index,
                                               "'label' must be a list whose first element is "
                                               "the attack name"));
    }
    return (*it)[0].get<std::string>();
  }
  if (task == "misuse") {
    std::string source = need_string("source");
    return source == "Do-anything-now" ? need_string("type") : source;
  }
  return need_string("type");  // exaggerated_safety
}

}  // namespace

sdk::Meta SafetyDataset::meta() {
  sdk::Meta m{"trustllm_safety", "1.0.0",
              "TrustLLM safety datasets: jailbreak (1400), misuse (1174), exaggerated_safety "
              "(200); one user message per item, temperature 1.0"};
  m.config_schema = kSchema;
  m.example_config = kExample;
  return m;
}

std::string SafetyDataset::file_of(const std::string& task) {
  if (task == "jailbreak") return "safety/jailbreak.json";
  if (task == "misuse") return "safety/misuse.json";
  if (task == "exaggerated_safety") return "safety/exaggerated_safety.json";
  return {};
}

SafetyDataset::SafetyDataset(const json& config, sdk::Host host) {
  if (!config.is_object()) throw sdk::config_error("", "configuration must be an object");
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& k = it.key();
    if (k != "task" && k != "data_dir" && k != "verify_checksum" && k != "max_tokens") {
      throw sdk::config_error("/" + k, "unknown key (allowed: task, data_dir, verify_checksum, "
                                       "max_tokens)");
    }
  }
  auto task = config.find("task");
  if (task == config.end() || !task->is_string() || file_of(task->get<std::string>()).empty()) {
    throw sdk::config_error("/task", "required; one of jailbreak, misuse, exaggerated_safety");
  }
  task_ = task->get<std::string>();
  auto dir = config.find("data_dir");
  if (dir == config.end() || !dir->is_string() || dir->get<std::string>().empty()) {
    throw sdk::config_error("/data_dir", "required: the folder holding safety/" + task_ +
                                             ".json (e.g. $TRUSTLLM_DATA_DIR)");
  }
  bool verify = true;
  if (auto v = config.find("verify_checksum"); v != config.end()) {
    if (!v->is_boolean()) throw sdk::config_error("/verify_checksum", "must be true or false");
    verify = v->get<bool>();
  }
  if (auto v = config.find("max_tokens"); v != config.end()) {
    if (!v->is_number_integer() || v->get<int64_t>() < 1 || v->get<int64_t>() > 1'000'000) {
      throw sdk::config_error("/max_tokens", "must be a positive integer");
    }
    max_tokens_ = static_cast<int>(v->get<int64_t>());
  }

  file_ = data::load_data_file(dir->get<std::string>(), file_of(task_), verify, kNotFoundHint);
  strata_.reserve(file_.items.size());
  for (size_t i = 0; i < file_.items.size(); ++i) {
    const json& it = file_.items[i];
    if (!it.is_object()) {
      throw sdk::Error(TLM_E_INPUT, item_error(file_.path.string(), i, "not a JSON object"));
    }
    auto p = it.find("prompt");
    if (p == it.end() || !p->is_string()) {
      throw sdk::Error(TLM_E_INPUT, item_error(file_.path.string(), i, "'prompt' must be a string"));
    }
    strata_.push_back(stratum_of(task_, it, file_.path.string(), i));
  }
  host.debug("loaded " + file_.path.string() + " (" + std::to_string(file_.items.size()) +
             " items, sha256 " + file_.sha256 + (file_.verified ? ", verified)" : ", unverified)"));
}

json SafetyDataset::info(sdk::Call&) {
  return json{{"task", task_},
              {"dimension", "safety"},
              {"files", json::array({json{{"path", file_.path.string()}, {"sha256", file_.sha256}}})},
              {"items", file_.items.size()}};
}

uint64_t SafetyDataset::count(sdk::Call&) { return file_.items.size(); }

json SafetyDataset::item(uint64_t index) const {
  const json& src = file_.items.at(index);
  return json{{"id", std::to_string(index)},
              {"prompt", src.at("prompt")},
              {"stratum", strata_[index]},
              {"generation", json{{"temperature", temperature_}, {"max_tokens", max_tokens_}}},
              {"fields", src},
              {"source", json{{"file", file_.rel_path}, {"index", index}}}};
}

void SafetyDataset::read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
                         sdk::Call& call) {
  const uint64_t n = file_.items.size();
  if (first >= n) return;
  const uint64_t last = max > n - first ? n : first + max;
  for (uint64_t i = first; i < last; ++i) {
    if ((i - first) % 64 == 0) call.throw_if_cancelled();
    emit(item(i));
  }
}

}  // namespace trustllm::safety
