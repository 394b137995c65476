#include "trustllm/util/canonical_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace trustllm::util {

namespace {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0x0f]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

template <class Int>
void append_integer(std::string& out, Int v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == 0.0) {  // both +0.0 and -0.0
    out.push_back('0');
    return;
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  if (res.ec != std::errc{}) throw std::runtime_error("canonical_json: cannot format a number");
  out.append(buf, res.ptr);
}

void append_value(std::string& out, const nlohmann::json& v) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null: out += "null"; break;
    case T::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case T::number_integer: append_integer(out, v.get<nlohmann::json::number_integer_t>()); break;
    case T::number_unsigned: append_integer(out, v.get<nlohmann::json::number_unsigned_t>()); break;
    case T::number_float: append_double(out, v.get<double>()); break;
    case T::string: append_string(out, v.get_ref<const std::string&>()); break;
    case T::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        append_value(out, e);
      }
      out.push_back(']');
      break;
    }
    case T::object: {
      // nlohmann::json keeps objects in a std::map (already byte-ordered), but sort explicitly so
      // the result never depends on the container type.
      const auto& obj = v.get_ref<const nlohmann::json::object_t&>();
      std::vector<const nlohmann::json::object_t::value_type*> items;
      items.reserve(obj.size());
      for (const auto& kv : obj) items.push_back(&kv);
      std::sort(items.begin(), items.end(),
                [](const auto* a, const auto* b) { return a->first < b->first; });
      out.push_back('{');
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out.push_back(',');
        first = false;
        append_string(out, kv->first);
        out.push_back(':');
        append_value(out, kv->second);
      }
      out.push_back('}');
      break;
    }
    case T::binary: throw std::invalid_argument("canonical_json: binary values are not JSON");
    case T::discarded: throw std::invalid_argument("canonical_json: discarded value");
  }
}

}  // namespace

void append_canonical_json(std::string& out, const nlohmann::json& value) { append_value(out, value); }

std::string canonical_json(const nlohmann::json& value) {
  std::string out;
  append_value(out, value);
  return out;
}

void append_json_string(std::string& out, std::string_view s) { append_string(out, s); }

}  // namespace trustllm::util
