// Scalar typing (YAML 1.2 core schema) and ${VAR} interpolation.
#include "internal.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>

namespace trustllm::config::detail {

namespace {

bool is_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    bool ok = base == 8 ? (c >= '0' && c <= '7') : base == 16 ? std::isxdigit(u) != 0
                                                               : std::isdigit(u) != 0;
    if (!ok) return false;
  }
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (int_digits == 0 && !dot) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

std::optional<json> parse_int(std::string_view digits, bool negative, int base) {
  std::uint64_t u = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  if (negative) {
    constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;
    if (u > kMinMagnitude) return std::nullopt;
    if (u == kMinMagnitude) return json(INT64_MIN);
    return json(-static_cast<std::int64_t>(u));
  }
  if (u <= static_cast<std::uint64_t>(INT64_MAX)) return json(static_cast<std::int64_t>(u));
  return json(u);
}

bool valid_var_name(std::string_view name) {
  if (name.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::optional<json> resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return json(nullptr);
  if (s == "true" || s == "True" || s == "TRUE") return json(true);
  if (s == "false" || s == "False" || s == "FALSE") return json(false);

  std::string_view v(s);
  if (v.size() > 2 && v[0] == '0' && v[1] == 'o' && is_digits(v.substr(2), 8)) {
    return parse_int(v.substr(2), false, 8);
  }
  if (v.size() > 2 && v[0] == '0' && v[1] == 'x' && is_digits(v.substr(2), 16)) {
    return parse_int(v.substr(2), false, 16);
  }
  bool negative = false;
  std::string_view body = v;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (is_digits(body, 10)) return parse_int(body, negative, 10);

  if (is_core_float(v)) {
    std::string_view f = v[0] == '+' ? v.substr(1) : v;
    double d = 0;
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), d);
    if (ec == std::errc() && p == f.data() + f.size()) return json(d);
    // Out of range (1e999) or unparsable: keep the text.
    return json(s);
  }
  // .inf / .nan and everything else: text.
  return json(s);
}

std::string interpolate(const std::string& text, const LoadOptions& options, const SourceLoc& loc,
                        const std::string& key_path, bool& substituted) {
  if (text.find('$') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      throw ConfigError(loc, key_path, "unterminated ${ in \"" + text + "\"",
                        "close it with } or write $${ for a literal ${");
    }
    const std::string inner = text.substr(i + 2, close - i - 2);
    const std::size_t dash = inner.find(":-");
    const bool has_default = dash != std::string::npos;
    const std::string name = has_default ? inner.substr(0, dash) : inner;
    if (!valid_var_name(name)) {
      throw ConfigError(loc, key_path, "invalid environment variable name '" + name + "' in ${" +
                                           inner + "}",
                        "use letters, digits and _, e.g. ${OPENAI_API_KEY}, or write $${ for a "
                        "literal ${");
    }
    std::optional<std::string> val;
    if (options.getenv) {
      val = options.getenv(name);
    } else if (const char* e = std::getenv(name.c_str())) {
      val = std::string(e);
    }
    if (has_default && (!val || val->empty())) val = inner.substr(dash + 2);
    if (!val) {
      throw ConfigError(loc, key_path, "environment variable " + name + " is not set",
                        "export it or use ${" + name + ":-default}");
    }
    out += *val;
    substituted = true;
    i = close + 1;
  }
  return out;
}

std::string describe(const json& v, bool hidden) {
  switch (v.type()) {
    case json::value_t::null: return "null (empty value)";
    case json::value_t::boolean: return std::string("boolean ") + (v.get<bool>() ? "true" : "false");
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return hidden ? "integer (value hidden)" : "integer " + v.dump();
    case json::value_t::number_float: return hidden ? "number (value hidden)" : "number " + v.dump();
    case json::value_t::string: {
      if (hidden) return "string (value hidden)";
      std::string s = v.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "string " + json(s).dump();
    }
    case json::value_t::array: return "list";
    case json::value_t::object: return "map";
    default: return "value";
  }
}

std::string yaml_hint(const std::string& message) {
  if (message.find("tab") != std::string::npos) return "indent with spaces, not tabs";
  if (message.find("sequence flow") != std::string::npos) {
    return "close the list with ] (check for a missing ] or a stray [)";
  }
  if (message.find("map flow") != std::string::npos) {
    return "close the map with } (check for a missing } or a stray {)";
  }
  if (message.find("end of map not found") != std::string::npos ||
      message.find("illegal map value") != std::string::npos) {
    return "check the indentation (spaces only) and put values containing ': ' in quotes";
  }
  if (message.find("quote") != std::string::npos || message.find("scalar") != std::string::npos) {
    return "check the quotes on this line";
  }
  return "check the indentation (spaces only), brackets and quotes near this position";
}

}  // namespace trustllm::config::detail
