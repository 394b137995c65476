// Reading a metric's sample (fields, response, recorded eval_res), JSON pointers, config
// helpers and the summary entries an accumulator reports (see sample.hpp).
#include "trustllm_metrics/sample.hpp"

#include <string_view>

namespace trustllm::metrics {

namespace {

const json& empty_object() {
  static const json kEmpty = json::object();
  return kEmpty;
}

// The reference tokens of a pointer, first to last.
std::vector<std::string> tokens_of(json::json_pointer ptr) {
  std::vector<std::string> out;
  while (!ptr.empty()) {
    out.insert(out.begin(), ptr.back());
    ptr.pop_back();
  }
  return out;
}

// An array index token: "0" or digits without a leading zero.
bool parse_index(const std::string& token, size_t& index) {
  if (token.empty() || token.size() > 18) return false;
  if (token.size() > 1 && token[0] == '0') return false;
  size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  index = v;
  return true;
}

const char* type_name(const json& v) {
  return v.type_name();
}

}  // namespace

const json& fields_of(const json& sample) {
  if (sample.is_object()) {
    auto it = sample.find("fields");
    if (it != sample.end() && it->is_object()) return *it;
  }
  return empty_object();
}

const std::string* response_of(const json& sample) {
  if (!sample.is_object()) return nullptr;
  auto it = sample.find("response");
  if (it == sample.end() || it->is_null()) return nullptr;
  if (!it->is_string())
    throw sdk::Error(TLM_E_INPUT, "item " + item_id(sample) +
                                      ": response must be a string or "
                                      "null, got " +
                                      type_name(*it));
  return &it->get_ref<const std::string&>();
}

std::string item_id(const json& sample) {
  if (!sample.is_object()) return "?";
  auto it = sample.find("id");
  if (it == sample.end() || it->is_null()) return "?";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

const json* recorded_eval(const json& sample) {
  const json& f = fields_of(sample);
  auto it = f.find("eval_res");
  return it == f.end() ? nullptr : &*it;
}

const json* resolve(const json& doc, const json::json_pointer& ptr) {
  const json* cur = &doc;
  for (const std::string& token : tokens_of(ptr)) {
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      size_t index = 0;
      if (!parse_index(token, index) || index >= cur->size()) return nullptr;
      cur = &(*cur)[index];
    } else {
      return nullptr;
    }
  }
  return cur;
}

json::json_pointer parse_pointer(const json& value, const std::string& key) {
  if (!value.is_string())
    throw sdk::config_error(key, "must be a JSON pointer string such as \"/label\"");
  const auto& text = value.get_ref<const std::string&>();
  try {
    return json::json_pointer(text);
  } catch (const json::exception&) {
    throw sdk::config_error(key, "\"" + text + "\" is not a JSON pointer (write \"/a/0/b\")");
  }
}

std::string group_name(const json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get<std::string>();
  return sdk::to_text(value);
}

json excluded_record(const std::string& reason) {
  return json{{"excluded", true}, {"reason", reason}};
}

json metric_ok(const std::string& id, double value, uint64_t n, const std::string& direction) {
  return json{
      {"metric", id}, {"value", value}, {"n", n}, {"direction", direction}, {"status", "ok"}};
}

json metric_skipped(const std::string& id, const std::string& reason, uint64_t n,
                    const std::string& direction) {
  return json{{"metric", id},           {"value", nullptr},    {"n", n},
              {"direction", direction}, {"status", "skipped"}, {"reason", reason}};
}

std::string get_string(const json& config, const char* key, const std::string& fallback) {
  if (!config.is_object()) return fallback;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_string())
    throw sdk::config_error(std::string("/") + key,
                            std::string("must be a string, got ") + type_name(*it));
  return it->get<std::string>();
}

bool get_bool(const json& config, const char* key, bool fallback) {
  if (!config.is_object()) return fallback;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    throw sdk::config_error(std::string("/") + key,
                            std::string("must be true or false, got ") + type_name(*it));
  return it->get<bool>();
}

int get_int(const json& config, const char* key, int fallback, int min, int max) {
  if (!config.is_object()) return fallback;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return fallback;
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!it->is_number_integer())
    throw sdk::config_error(std::string("/") + key, "must be an integer in " + range);
  long long v = 0;
  if (it->is_number_unsigned()) {
    const auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(max))
      throw sdk::config_error(std::string("/") + key, "must be an integer in " + range);
    v = static_cast<long long>(u);
  } else {
    v = it->get<long long>();
  }
  if (v < min || v > max)
    throw sdk::config_error(std::string("/") + key, "must be an integer in " + range);
  return static_cast<int>(v);
}

void check_keys(const json& config, std::initializer_list<const char*> allowed) {
  if (config.is_null()) return;
  if (!config.is_object()) throw sdk::config_error("", "the configuration must be a mapping");
  for (auto it = config.begin(); it != config.end(); ++it) {
    bool ok = false;
    for (const char* a : allowed)
      if (it.key() == a) ok = true;
    if (ok) continue;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw sdk::config_error("/" + it.key(), "unknown key (allowed: " + list + ")");
  }
}

}  // namespace trustllm::metrics
