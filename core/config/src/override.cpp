// apply_override: --set a.b.c=value
#include "internal.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>

namespace trustllm::config {

namespace {

const SourceLoc kSetLoc{"--set", 0, 0};

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

void apply_override(Document& doc, std::string_view assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw ConfigError(kSetLoc, "", "expected key.path=value, got '" + std::string(assignment) + "'",
                      "write e.g. --set tasks.0.limit=5");
  }
  const std::string path = trim(assignment.substr(0, eq));
  const std::string text(assignment.substr(eq + 1));
  if (path.empty()) {
    throw ConfigError(kSetLoc, "", "missing key path before '='",
                      "write e.g. --set tasks.0.limit=5");
  }
  std::vector<std::string> segs;
  for (std::size_t start = 0;;) {
    std::size_t dot = path.find('.', start);
    segs.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& s : segs) {
    if (s.empty()) {
      throw ConfigError(kSetLoc, path, "empty key in the path",
                        "separate keys with single dots, e.g. tasks.0.limit");
    }
  }

  // Parse the value first so a bad value changes nothing.
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(kSetLoc, path, "invalid value '" + text + "': " + e.msg,
                      "quote the value, e.g. --set '" + path + "=\"" + text + "\"'");
  }

  auto joined = [&](std::size_t n) {
    std::string out;
    for (std::size_t j = 0; j < n; ++j) out += (j ? "." : "") + segs[j];
    return out;
  };

  json* cur = &doc.value;
  std::string ptr;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    const bool last = i + 1 == segs.size();
    if (cur->is_null()) *cur = json::object();  // an empty "key:" becomes a map
    std::string child;
    json* next = nullptr;
    if (cur->is_object()) {
      child = pointer_child(ptr, seg);
      if (!cur->contains(seg)) {
        (*cur)[seg] = last ? json(nullptr) : json::object();
        detail::erase_subtree(doc, child);
        if (!last) doc.locations[child] = kSetLoc;
        doc.key_locations[child] = kSetLoc;
      }
      next = &(*cur)[seg];
    } else if (cur->is_array()) {
      const std::size_t n = cur->size();
      const std::string range =
          n == 0 ? "the list is empty; set the whole list instead, e.g. --set " + joined(i) +
                       "=[...]"
                 : "use an index from 0 to " + std::to_string(n - 1);
      if (!all_digits(seg)) {
        throw ConfigError(kSetLoc, doc.human_path(ptr),
                          "is a list, so '" + seg + "' must be an index", range);
      }
      const std::size_t idx = std::stoul(seg);
      if (idx >= n) {
        throw ConfigError(kSetLoc, doc.human_path(ptr),
                          "list index " + seg + " is out of range (the list has " +
                              std::to_string(n) + (n == 1 ? " item)" : " items)"),
                          range);
      }
      child = pointer_child(ptr, idx);
      next = &(*cur)[idx];
    } else {
      throw ConfigError(kSetLoc, doc.human_path(ptr),
                        "is " + detail::describe(*cur, doc.is_interpolated(ptr)) +
                            ", not a map or list, so " + path + " cannot be set",
                        "set " + joined(i) + " itself or fix the path");
    }
    cur = next;
    ptr = child;
  }

  // Replace the value and its bookkeeping.
  Document fresh;
  detail::ConvertOptions co;
  co.file = "--set";
  co.fixed_location = true;
  co.location = kSetLoc;
  json value = detail::convert(node, fresh, ptr, kSetLoc, co);
  detail::erase_subtree(doc, ptr);
  detail::copy_subtree(doc, fresh, ptr);
  doc.key_locations[ptr] = kSetLoc;
  *cur = std::move(value);
}

}  // namespace trustllm::config
