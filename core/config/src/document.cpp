#include <trustllm/config/document.hpp>

#include "internal.hpp"

#include <cctype>

namespace trustllm::config {

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::vector<std::string> pointer_split(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  std::size_t start = pointer[0] == '/' ? 1 : 0;
  while (true) {
    std::size_t slash = pointer.find('/', start);
    tokens.push_back(pointer_unescape(std::string_view(pointer).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start)));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

std::string pointer_child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + pointer_escape(key);
}

std::string pointer_child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

namespace {

std::string parent_of(const std::string& pointer) {
  std::size_t slash = pointer.rfind('/');
  if (slash == std::string::npos) return std::string();
  return pointer.substr(0, slash);
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool plain_key(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

namespace detail {

std::string human_path_of(const std::string& pointer, const json* node) {
  if (pointer.empty()) return "(top level)";
  std::string out;
  for (const std::string& tok : pointer_split(pointer)) {
    bool index;
    if (node && node->is_array()) index = true;
    else if (node && node->is_object()) index = false;
    else index = all_digits(tok);

    if (index) {
      out += "[" + tok + "]";
    } else if (plain_key(tok)) {
      if (!out.empty()) out += ".";
      out += tok;
    } else {
      std::string quoted = "[\"";
      for (char c : tok) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
      }
      out += quoted + "\"]";
    }

    if (node && node->is_array() && all_digits(tok) && tok.size() < 10 &&
        std::stoul(tok) < node->size()) {
      node = &(*node)[std::stoul(tok)];
    } else if (node && node->is_object()) {
      auto it = node->find(tok);
      node = it == node->end() ? nullptr : &*it;
    } else {
      node = nullptr;
    }
  }
  return out;
}

}  // namespace detail

SourceLoc Document::where(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = locations.find(p);
    if (it != locations.end()) return it->second;
    auto kt = key_locations.find(p);
    if (kt != key_locations.end()) return kt->second;
    if (p.empty()) break;
    p = parent_of(p);
  }
  return SourceLoc{file, 0, 0};
}

SourceLoc Document::where_key(const std::string& pointer) const {
  auto kt = key_locations.find(pointer);
  if (kt != key_locations.end()) return kt->second;
  return where(pointer);
}

std::string Document::locate(const std::string& pointer) const { return where(pointer).str(); }

std::string Document::human_path(const std::string& pointer) const {
  return detail::human_path_of(pointer, &value);
}

ConfigError Document::error_at(const std::string& pointer, const std::string& problem,
                                const std::string& hint) const {
  return ConfigError(where(pointer), human_path(pointer), problem, hint);
}

ConfigError Document::error_at_key(const std::string& pointer, const std::string& problem,
                                   const std::string& hint) const {
  return ConfigError(where_key(pointer), human_path(pointer), problem, hint);
}

namespace detail {

namespace {
template <typename Map>
void erase_prefixed(Map& m, const std::string& pointer) {
  if (pointer.empty()) {
    m.clear();
    return;
  }
  m.erase(pointer);
  const std::string prefix = pointer + "/";
  for (auto it = m.lower_bound(prefix); it != m.end();) {
    const std::string& k = [&]() -> const std::string& {
      if constexpr (std::is_same_v<Map, std::set<std::string>>) return *it;
      else return it->first;
    }();
    if (k.compare(0, prefix.size(), prefix) != 0) break;
    it = m.erase(it);
  }
}

template <typename Map>
void copy_prefixed(Map& dst, const Map& src, const std::string& pointer) {
  const std::string prefix = pointer + "/";
  auto start = pointer.empty() ? src.begin() : src.lower_bound(pointer);
  for (auto it = start; it != src.end(); ++it) {
    const std::string& k = [&]() -> const std::string& {
      if constexpr (std::is_same_v<Map, std::set<std::string>>) return *it;
      else return it->first;
    }();
    if (!pointer.empty() && k != pointer) {
      if (k.compare(0, prefix.size(), prefix) != 0) {
        if (k > prefix) break;
        continue;
      }
    }
    if constexpr (std::is_same_v<Map, std::set<std::string>>) dst.insert(*it);
    else dst[it->first] = it->second;
  }
}
}  // namespace

void erase_subtree(Document& doc, const std::string& pointer) {
  erase_prefixed(doc.locations, pointer);
  erase_prefixed(doc.key_locations, pointer);
  erase_prefixed(doc.interpolated, pointer);
}

void copy_subtree(Document& dst, const Document& src, const std::string& pointer) {
  copy_prefixed(dst.locations, src.locations, pointer);
  copy_prefixed(dst.key_locations, src.key_locations, pointer);
  copy_prefixed(dst.interpolated, src.interpolated, pointer);
}

namespace {
template <class Map>
void copy_prefixed_to(Map& dst, const std::string& dst_pointer, const Map& src,
                      const std::string& src_pointer) {
  const std::string prefix = src_pointer + "/";
  for (auto it = src.begin(); it != src.end(); ++it) {
    const std::string& k = [&]() -> const std::string& {
      if constexpr (std::is_same_v<Map, std::set<std::string>>) return *it;
      else return it->first;
    }();
    std::string rest;
    if (k == src_pointer) {
      rest = "";
    } else if (src_pointer.empty() || k.compare(0, prefix.size(), prefix) == 0) {
      rest = k.substr(src_pointer.size());
    } else {
      continue;
    }
    if constexpr (std::is_same_v<Map, std::set<std::string>>) dst.insert(dst_pointer + rest);
    else dst[dst_pointer + rest] = it->second;
  }
}
}  // namespace

void copy_subtree_to(Document& dst, const std::string& dst_pointer, const Document& src,
                     const std::string& src_pointer) {
  if (dst_pointer == src_pointer) return copy_subtree(dst, src, src_pointer);
  copy_prefixed_to(dst.locations, dst_pointer, src.locations, src_pointer);
  copy_prefixed_to(dst.key_locations, dst_pointer, src.key_locations, src_pointer);
  copy_prefixed_to(dst.interpolated, dst_pointer, src.interpolated, src_pointer);
}

}  // namespace detail

}  // namespace trustllm::config
