// validate_and_default: a JSON-Schema subset with YAML-located, human-worded errors.
#include <trustllm/config/redact.hpp>
#include <trustllm/config/schema.hpp>
#include <trustllm/config/suggest.hpp>

#include "internal.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>
#include <tuple>

namespace trustllm::config {

namespace {

std::string type_name(const std::string& t) {
  if (t == "object") return "map";
  if (t == "array") return "list";
  return t;
}

std::string with_article(const std::string& t) {
  if (t == "object") return "a map";
  if (t == "array") return "a list";
  if (t == "integer") return "an integer";
  if (t == "null") return "an empty value";
  return "a " + t;
}

bool matches_type(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  if (t == "number") return v.is_number();
  if (t == "integer") {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
      const double d = v.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
  }
  return true;  // unknown type names do not constrain
}

std::vector<std::string> types_of(const json& schema) {
  std::vector<std::string> out;
  if (!schema.is_object() || !schema.contains("type")) return out;
  const json& t = schema["type"];
  if (t.is_string()) out.push_back(t.get<std::string>());
  if (t.is_array()) {
    for (const auto& x : t) {
      if (x.is_string()) out.push_back(x.get<std::string>());
    }
  }
  return out;
}

bool accepts_type(const json& schema, const json& v) {
  const auto types = types_of(schema);
  if (types.empty()) return true;
  return std::any_of(types.begin(), types.end(), [&](const std::string& t) { return matches_type(v, t); });
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string single_hint(const std::string& t) {
  if (t == "integer") return "write a whole number such as 10";
  if (t == "number") return "write a number such as 0.5";
  if (t == "string") return "write text; put it in quotes if it looks like a number, boolean or null";
  if (t == "boolean") return "write true or false";
  if (t == "object") return "write a map of key: value pairs";
  if (t == "array") return "write a list such as [a, b] or one '- item' per line";
  if (t == "null") return "leave the value empty";
  return "check the value";
}

std::string type_hint(const std::vector<std::string>& types, const json& v, bool hidden) {
  if (types.size() == 1) {
    const std::string& t = types[0];
    if (t == "string" && (v.is_number() || v.is_boolean())) {
      if (hidden) return "put it in quotes to keep it as text";
      return "put it in quotes to keep it as text: \"" + v.dump() + "\"";
    }
    if (t == "boolean" && v.is_string()) {
      const std::string s = lower(v.get<std::string>());
      if (s == "yes" || s == "no" || s == "on" || s == "off" || s == "y" || s == "n") {
        return "write true or false (yes/no/on/off are text in YAML 1.2)";
      }
    }
    if ((t == "integer" || t == "number") && v.is_string()) {
      auto r = detail::resolve_plain(v.get<std::string>());
      if (r && r->is_number() && matches_type(*r, t)) {
        return hidden ? std::string("remove the quotes") : "remove the quotes: " + v.get<std::string>();
      }
    }
    return single_hint(t);
  }
  std::string out = "use ";
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) out += i + 1 == types.size() ? " or " : ", ";
    out += with_article(types[i]);
  }
  return out;
}

std::string render(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string join_values(const json& arr, std::size_t max = 12) {
  std::string out;
  std::size_t n = 0;
  for (const auto& x : arr) {
    if (n == max) {
      out += ", ...";
      break;
    }
    out += (n++ ? ", " : "") + render(x);
  }
  return out;
}

std::string placeholder(const std::string& key, const json& ps) {
  if (key == "plugin") return "<name> (see trustllm plugins)";
  if (ps.is_object()) {
    if (ps.contains("enum") && ps["enum"].is_array() && !ps["enum"].empty()) {
      std::string out = "<";
      std::size_t n = 0;
      for (const auto& x : ps["enum"]) out += (n++ ? "|" : "") + render(x);
      return out + ">";
    }
    if (ps.contains("examples") && ps["examples"].is_array() && !ps["examples"].empty()) {
      return render(ps["examples"][0]);
    }
    const auto types = types_of(ps);
    if (!types.empty()) {
      const std::string& t = types[0];
      if (t == "integer") return "<whole number>";
      if (t == "number") return "<number>";
      if (t == "boolean") return "<true|false>";
      if (t == "string") return "<text>";
      if (t == "array") return "[...]";
      if (t == "object") return "{...}";
    }
  }
  return "<value>";
}

std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string last_token(const std::string& ptr) {
  auto toks = pointer_split(ptr);
  return toks.empty() ? std::string() : toks.back();
}

class Validator {
 public:
  explicit Validator(const Document& doc) : doc_(doc) {}

  void run(json& v, const json& s, const std::string& ptr) {
    if (s.is_boolean()) {
      if (!s.get<bool>()) throw err(ptr, "is not allowed here", "remove it");
      return;
    }
    if (!s.is_object()) return;

    const auto types = types_of(s);
    if (!types.empty() && !accepts_type(s, v)) {
      std::string expected;
      for (std::size_t i = 0; i < types.size(); ++i) {
        expected += (i ? " or " : "") + type_name(types[i]);
      }
      throw err(ptr, "expected " + expected + ", got " + detail::describe(v, hidden(ptr)),
                type_hint(types, v, hidden(ptr)));
    }

    if (s.contains("enum") && s["enum"].is_array()) check_enum(v, s["enum"], ptr);
    if (s.contains("const") && v != s["const"]) {
      throw err(ptr, "must be " + s["const"].dump() + ", got " + detail::describe(v, hidden(ptr)),
                "write " + render(s["const"]));
    }
    if (s.contains("anyOf") && s["anyOf"].is_array()) alternatives(v, s["anyOf"], ptr);
    if (s.contains("oneOf") && s["oneOf"].is_array()) alternatives(v, s["oneOf"], ptr);

    if (v.is_number()) check_number(v, s, ptr);
    if (v.is_string()) check_string(v, s, ptr);
    if (v.is_array()) check_array(v, s, ptr);
    if (v.is_object()) check_object(v, s, ptr);
  }

 private:
  ConfigError err(const std::string& ptr, const std::string& problem, const std::string& hint) const {
    return ConfigError(doc_.where(ptr), doc_.human_path(ptr), problem, hint);
  }

  bool hidden(const std::string& ptr) const {
    return doc_.is_interpolated(ptr) || is_secret_key(last_token(ptr));
  }

  void check_enum(const json& v, const json& allowed, const std::string& ptr) {
    for (const auto& a : allowed) {
      if (a == v) return;
    }
    const bool hide = hidden(ptr);
    std::string shown = hide ? std::string("the value") : v.is_string() ? json(v).dump() : v.dump();
    std::string hint;
    if (v.is_string() && !hide) {
      std::vector<std::string> names;
      for (const auto& a : allowed) {
        if (a.is_string()) names.push_back(a.get<std::string>());
      }
      std::string s = did_you_mean(v.get<std::string>(), names);
      if (!s.empty()) hint = "did you mean '" + s + "'? (allowed: " + join_values(allowed) + ")";
    }
    if (hint.empty()) hint = "use one of: " + join_values(allowed);
    throw err(ptr, shown + " is not an allowed value", hint);
  }

  void check_number(const json& v, const json& s, const std::string& ptr) {
    const double d = v.get<double>();
    const std::string got = hidden(ptr) ? std::string("a hidden value") : v.dump();
    auto num = [&](const char* k) { return s.contains(k) && s[k].is_number(); };
    // Draft-4 style boolean exclusiveMinimum/Maximum modify minimum/maximum.
    const bool excl_min_flag = s.contains("exclusiveMinimum") && s["exclusiveMinimum"].is_boolean() &&
                               s["exclusiveMinimum"].get<bool>();
    const bool excl_max_flag = s.contains("exclusiveMaximum") && s["exclusiveMaximum"].is_boolean() &&
                               s["exclusiveMaximum"].get<bool>();
    if (num("minimum")) {
      const double m = s["minimum"].get<double>();
      if (excl_min_flag ? !(d > m) : !(d >= m)) {
        if (excl_min_flag) {
          throw err(ptr, "must be greater than " + s["minimum"].dump() + ", got " + got,
                    "use a value above " + s["minimum"].dump());
        }
        throw err(ptr, "must be at least " + s["minimum"].dump() + ", got " + got,
                  "use a value of " + s["minimum"].dump() + " or more");
      }
    }
    if (num("exclusiveMinimum")) {
      const double m = s["exclusiveMinimum"].get<double>();
      if (!(d > m)) {
        throw err(ptr, "must be greater than " + s["exclusiveMinimum"].dump() + ", got " + got,
                  "use a value above " + s["exclusiveMinimum"].dump());
      }
    }
    if (num("maximum")) {
      const double m = s["maximum"].get<double>();
      if (excl_max_flag ? !(d < m) : !(d <= m)) {
        if (excl_max_flag) {
          throw err(ptr, "must be less than " + s["maximum"].dump() + ", got " + got,
                    "use a value below " + s["maximum"].dump());
        }
        throw err(ptr, "must be at most " + s["maximum"].dump() + ", got " + got,
                  "use a value of " + s["maximum"].dump() + " or less");
      }
    }
    if (num("exclusiveMaximum")) {
      const double m = s["exclusiveMaximum"].get<double>();
      if (!(d < m)) {
        throw err(ptr, "must be less than " + s["exclusiveMaximum"].dump() + ", got " + got,
                  "use a value below " + s["exclusiveMaximum"].dump());
      }
    }
  }

  void check_string(const json& v, const json& s, const std::string& ptr) {
    const std::string& str = v.get_ref<const std::string&>();
    const std::size_t len = utf8_length(str);
    if (s.contains("minLength") && s["minLength"].is_number_integer()) {
      const auto m = s["minLength"].get<std::int64_t>();
      if (static_cast<std::int64_t>(len) < m) {
        if (len == 0) throw err(ptr, "must not be empty", "write a non-empty value");
        throw err(ptr, "must be at least " + std::to_string(m) + " characters long, got " +
                           std::to_string(len),
                  "write a longer value");
      }
    }
    if (s.contains("maxLength") && s["maxLength"].is_number_integer()) {
      const auto m = s["maxLength"].get<std::int64_t>();
      if (static_cast<std::int64_t>(len) > m) {
        throw err(ptr, "must be at most " + std::to_string(m) + " characters long, got " +
                           std::to_string(len),
                  "shorten it");
      }
    }
    if (s.contains("pattern") && s["pattern"].is_string()) {
      const std::string pat = s["pattern"].get<std::string>();
      bool ok = true;
      try {
        ok = std::regex_search(str, std::regex(pat, std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        ok = true;  // a broken pattern in a schema is not the user's problem
      }
      if (!ok) {
        const std::string shown = hidden(ptr) ? std::string("the value") : json(str).dump();
        throw err(ptr, shown + " does not match the pattern " + pat,
                  "write a value that matches " + pat);
      }
    }
  }

  void check_array(json& v, const json& s, const std::string& ptr) {
    const std::size_t n = v.size();
    if (s.contains("minItems") && s["minItems"].is_number_integer()) {
      const auto m = s["minItems"].get<std::int64_t>();
      if (static_cast<std::int64_t>(n) < m) {
        if (n == 0) throw err(ptr, "must not be an empty list", "add at least " + std::string(m == 1 ? "one item" : std::to_string(m) + " items"));
        throw err(ptr, "must have at least " + std::to_string(m) + " items, got " + std::to_string(n),
                  "add more items");
      }
    }
    if (s.contains("maxItems") && s["maxItems"].is_number_integer()) {
      const auto m = s["maxItems"].get<std::int64_t>();
      if (static_cast<std::int64_t>(n) > m) {
        throw err(ptr, "must have at most " + std::to_string(m) + " items, got " + std::to_string(n),
                  "remove some items");
      }
    }
    if (s.contains("items")) {
      const json& items = s["items"];
      if (items.is_array()) {
        for (std::size_t i = 0; i < n && i < items.size(); ++i) {
          run(v[i], items[i], pointer_child(ptr, i));
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) run(v[i], items, pointer_child(ptr, i));
      }
    }
  }

  // Keys in the order they appear in the YAML (keys without a location last).
  std::vector<std::string> ordered_keys(const json& obj, const std::string& ptr) const {
    struct K {
      std::string key;
      bool located;
      std::string file;
      int line, col;
    };
    std::vector<K> ks;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string child = pointer_child(ptr, it.key());
      auto kl = doc_.key_locations.find(child);
      const SourceLoc* loc = nullptr;
      if (kl != doc_.key_locations.end()) loc = &kl->second;
      else if (auto vl = doc_.locations.find(child); vl != doc_.locations.end()) loc = &vl->second;
      if (loc && loc->known()) ks.push_back({it.key(), true, loc->file, loc->line, loc->col});
      else ks.push_back({it.key(), false, {}, 0, 0});
    }
    std::stable_sort(ks.begin(), ks.end(), [](const K& a, const K& b) {
      if (a.located != b.located) return a.located;
      return std::tie(a.file, a.line, a.col) < std::tie(b.file, b.line, b.col);
    });
    std::vector<std::string> out;
    for (auto& k : ks) out.push_back(std::move(k.key));
    return out;
  }

  void check_object(json& v, const json& s, const std::string& ptr) {
    static const json kEmpty = json::object();
    const json& props = s.contains("properties") && s["properties"].is_object() ? s["properties"] : kEmpty;
    const json addl = s.contains("additionalProperties") ? s["additionalProperties"] : json(true);
    const std::vector<std::string> keys = ordered_keys(v, ptr);

    if (addl.is_boolean() && !addl.get<bool>()) {
      std::vector<std::string> known;
      for (auto it = props.begin(); it != props.end(); ++it) known.push_back(it.key());
      for (const auto& k : keys) {
        if (props.contains(k)) continue;
        const std::string child = pointer_child(ptr, k);
        std::string hint;
        const std::string guess = did_you_mean(k, known);
        if (!guess.empty()) {
          hint = "did you mean '" + guess + "'?";
        } else if (known.empty()) {
          hint = "remove it (this map takes no keys)";
        } else {
          hint = "remove it or use one of: " + join_values(json(known));
        }
        throw ConfigError(doc_.where_key(child), doc_.human_path(child), "unknown key", hint);
      }
    }

    if (s.contains("required") && s["required"].is_array()) {
      for (const auto& r : s["required"]) {
        if (!r.is_string()) continue;
        const std::string name = r.get<std::string>();
        if (v.contains(name)) continue;
        const json ps = props.contains(name) ? props[name] : json::object();
        if (ps.is_object() && ps.contains("default")) continue;  // filled in below
        throw ConfigError(doc_.where_key(ptr), doc_.human_path(ptr),
                          "missing required key '" + name + "'",
                          "add " + name + ": " + placeholder(name, ps));
      }
    }

    for (const auto& k : keys) {
      const std::string child = pointer_child(ptr, k);
      if (props.contains(k)) run(v[k], props[k], child);
      else if (addl.is_object()) run(v[k], addl, child);
    }

    for (auto it = props.begin(); it != props.end(); ++it) {
      const json& ps = it.value();
      if (v.contains(it.key()) || !ps.is_object() || !ps.contains("default")) continue;
      v[it.key()] = ps["default"];
      run(v[it.key()], ps, pointer_child(ptr, it.key()));
    }
  }

  void alternatives(json& v, const json& alts, const std::string& ptr) {
    std::vector<ConfigError> errors;
    for (const auto& alt : alts) {
      json copy = v;
      try {
        run(copy, alt, ptr);
        v = std::move(copy);
        return;
      } catch (const ConfigError& e) {
        errors.push_back(e);
      }
    }
    if (errors.empty()) return;  // no alternatives: nothing to check
    std::vector<std::size_t> plausible;
    std::vector<std::string> all_types;
    bool all_typed = true;
    for (std::size_t i = 0; i < alts.size(); ++i) {
      if (accepts_type(alts[i], v)) plausible.push_back(i);
      auto ts = types_of(alts[i]);
      if (ts.empty()) all_typed = false;
      for (auto& t : ts) {
        if (std::find(all_types.begin(), all_types.end(), t) == all_types.end()) all_types.push_back(t);
      }
    }
    if (!plausible.empty()) throw errors[plausible.front()];
    if (all_typed && !all_types.empty()) {
      std::string expected;
      for (std::size_t i = 0; i < all_types.size(); ++i) {
        expected += (i ? " or " : "") + type_name(all_types[i]);
      }
      throw err(ptr, "expected " + expected + ", got " + detail::describe(v, hidden(ptr)),
                type_hint(all_types, v, hidden(ptr)));
    }
    throw err(ptr, "does not match any of the allowed forms", "check the documentation of this setting");
  }

  const Document& doc_;
};

}  // namespace

void validate_and_default(json& value, const json& schema, const Document& doc,
                          const std::string& base_pointer) {
  Validator(doc).run(value, schema, base_pointer);
}

}  // namespace trustllm::config
