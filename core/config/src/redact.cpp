#include <trustllm/config/redact.hpp>

#include <cctype>

namespace trustllm::config {

namespace {
bool has_word(const std::string& s, std::string_view w, bool letter_may_follow) {
  for (std::size_t pos = s.find(w); pos != std::string::npos; pos = s.find(w, pos + 1)) {
    const std::size_t end = pos + w.size();
    if (letter_may_follow || end == s.size() || !std::isalpha(static_cast<unsigned char>(s[end]))) {
      return true;
    }
  }
  return false;
}

json redact(const json& v, const Document& doc, const std::string& ptr, bool secret_key) {
  if (doc.is_interpolated(ptr)) return json(kRedacted);
  if (secret_key && !v.is_null() && !v.is_boolean()) return json(kRedacted);
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      out[it.key()] = redact(it.value(), doc, pointer_child(ptr, it.key()), is_secret_key(it.key()));
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back(redact(v[i], doc, pointer_child(ptr, i), false));
    }
    return out;
  }
  return v;
}
}  // namespace

bool is_secret_key(std::string_view key) {
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (k.size() >= 4 && k.compare(k.size() - 4, 4, "_env") == 0) return false;
  return has_word(k, "api_key", true) || has_word(k, "api-key", true) ||
         has_word(k, "apikey", true) || has_word(k, "secret", true) ||
         has_word(k, "password", true) || has_word(k, "authorization", true) ||
         // "token" but not "max_tokens" or "tokenizer"
         has_word(k, "token", false);
}

json redact_secrets(const json& value, const Document& doc, const std::string& base_pointer) {
  return redact(value, doc, base_pointer, is_secret_key([&] {
                  auto toks = pointer_split(base_pointer);
                  return toks.empty() ? std::string() : toks.back();
                }()));
}

}  // namespace trustllm::config
