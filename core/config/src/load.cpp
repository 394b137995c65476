// load_file: reading, parsing, includes and deep merging.
#include "internal.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace trustllm::config {

namespace fs = std::filesystem;

namespace {

// Where an include was requested (for errors about the included file).
struct IncludeSite {
  SourceLoc loc;
  std::string key_path;
  std::string including_file;
};

// True for a non-empty list whose items are all maps with a string `id` (e.g. a suite's tasks).
bool keyed_list(const json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const json& item : v) {
    if (!item.is_object()) return false;
    auto id = item.find("id");
    if (id == item.end() || !id->is_string()) return false;
  }
  return true;
}

// Deep merge of `src` (at `sptr`) over `dst` (at `dptr`): maps merge key by key; lists of maps
// with an `id` (keyed lists, such as tasks) merge by id: an item with a new id is appended, an
// item with a known id merges into it; everything else is replaced.
void merge_value(Document& dst, json& dv, const std::string& dptr, const Document& src,
                 const json& sv, const std::string& sptr) {
  if (dv.is_object() && sv.is_object()) {
    if (auto it = src.locations.find(sptr); it != src.locations.end()) dst.locations[dptr] = it->second;
    if (auto it = src.key_locations.find(sptr); it != src.key_locations.end()) {
      dst.key_locations[dptr] = it->second;
    }
    for (auto& [k, v] : sv.items()) {
      const std::string dchild = pointer_child(dptr, k);
      const std::string schild = pointer_child(sptr, k);
      auto existing = dv.find(k);
      if (existing != dv.end()) {
        merge_value(dst, *existing, dchild, src, v, schild);
      } else {
        dv[k] = v;
        detail::copy_subtree_to(dst, dchild, src, schild);
      }
    }
    return;
  }
  if (keyed_list(dv) && keyed_list(sv)) {
    for (size_t i = 0; i < sv.size(); ++i) {
      const std::string schild = pointer_child(sptr, std::to_string(i));
      size_t j = 0;
      while (j < dv.size() && dv[j]["id"] != sv[i]["id"]) ++j;
      const std::string dchild = pointer_child(dptr, std::to_string(j));
      if (j < dv.size()) {
        merge_value(dst, dv[j], dchild, src, sv[i], schild);
      } else {
        dv.push_back(sv[i]);
        detail::copy_subtree_to(dst, dchild, src, schild);
      }
    }
    return;
  }
  detail::erase_subtree(dst, dptr);
  dv = sv;
  detail::copy_subtree_to(dst, dptr, src, sptr);
}

// True when line `index` (0-based) of `text` is indented with a tab.
bool tab_indented(const std::string& text, int index) {
  if (index < 0) return false;
  std::size_t pos = 0;
  for (int i = 0; i < index; ++i) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return false;
    ++pos;
  }
  for (; pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'); ++pos) {
    if (text[pos] == '\t') return true;
  }
  return false;
}

class Loader {
 public:
  explicit Loader(const LoadOptions& options) : options_(options) {}

  Document load_path(const fs::path& path, const IncludeSite* site) {
    const std::string display = path.generic_string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      const bool exists = fs::exists(path, ec);
      if (site) {
        fs::path dir = fs::path(site->including_file).parent_path();
        throw ConfigError(site->loc, site->key_path,
                          std::string(exists ? "included path is not a file: "
                                             : "included file not found: ") + display,
                          "fix the path; it is relative to the folder of " +
                              site->including_file);
      }
      throw ConfigError(SourceLoc{display, 0, 0}, "",
                        exists ? "not a regular file" : "file not found", "check the path");
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in && !in.eof()) {
      throw ConfigError(SourceLoc{display, 0, 0}, "", "cannot read the file",
                        "check its permissions");
    }
    fs::path canon = fs::weakly_canonical(path, ec);
    if (ec) canon = fs::absolute(path).lexically_normal();
    return load_text(buf.str(), display, canon, site);
  }

  Document load_text(const std::string& text, const std::string& display, const fs::path& canon,
                     const IncludeSite* site) {
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i].first == canon) {
        std::string chain;
        for (std::size_t j = i; j < stack_.size(); ++j) chain += stack_[j].second + " -> ";
        chain += display;
        throw ConfigError(site ? site->loc : SourceLoc{display, 0, 0},
                          site ? site->key_path : std::string(), "include cycle: " + chain,
                          "remove one of these includes");
      }
    }

    Document doc = parse(text, display);
    doc.file = display;
    doc.files = {display};
    if (site && !doc.value.is_object()) {
      throw ConfigError(doc.where(""), "", "an included file must be a map at the top level",
                        "write key: value pairs at the top of the file");
    }
    if (!doc.value.is_object() || !doc.value.contains("include")) return doc;

    // Includes first, each merged over the previous, then this file's own keys on top.
    struct Entry {
      std::string path;
      std::string pointer;
    };
    std::vector<Entry> entries;
    const json& inc = doc.value["include"];
    if (inc.is_string()) {
      entries.push_back({inc.get<std::string>(), "/include"});
    } else if (inc.is_array()) {
      for (std::size_t i = 0; i < inc.size(); ++i) {
        const std::string p = pointer_child("/include", i);
        if (!inc[i].is_string()) {
          throw doc.error_at(p, "expected a file path, got " + detail::describe(inc[i], false),
                             "write include: [base.yaml, other.yaml]");
        }
        entries.push_back({inc[i].get<std::string>(), p});
      }
    } else if (!inc.is_null()) {
      throw doc.error_at("/include",
                         "expected a file path or a list of file paths, got " +
                             detail::describe(inc, false),
                         "write include: base.yaml or include: [a.yaml, b.yaml]");
    }

    Document merged;
    merged.value = json::object();
    merged.file = display;
    merged.files = {display};
    stack_.emplace_back(canon, display);
    for (const Entry& e : entries) {
      fs::path target(e.path);
      if (target.is_relative()) target = fs::path(display).parent_path() / target;
      target = target.lexically_normal();
      IncludeSite here{doc.where(e.pointer), doc.human_path(e.pointer), display};
      Document sub = load_path(target, &here);
      merge_value(merged, merged.value, "", sub, sub.value, "");
      for (const auto& f : sub.files) merged.files.push_back(f);
    }
    stack_.pop_back();

    doc.value.erase("include");
    detail::erase_subtree(doc, "/include");
    merge_value(merged, merged.value, "", doc, doc.value, "");
    merged.locations[""] = doc.where("");
    return merged;
  }

 private:
  Document parse(const std::string& text, const std::string& display) {
    Document doc;
    doc.file = display;
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(text);
    } catch (const YAML::DeepRecursion& e) {
      throw ConfigError(detail::mark_loc(display, e.mark.line, e.mark.column), "",
                        "invalid YAML: nesting is too deep",
                        "flatten the structure (fewer nested lists and maps)");
    } catch (const YAML::Exception& e) {
      SourceLoc at = detail::mark_loc(display, e.mark.line, e.mark.column);
      std::string hint = detail::yaml_hint(e.msg);
      if (tab_indented(text, e.mark.line)) hint = "indent with spaces, not tabs";
      throw ConfigError(at, "", "invalid YAML: " + e.msg, hint);
    }
    if (docs.size() > 1) {
      const YAML::Mark m = docs[1].Mark();
      throw ConfigError(detail::mark_loc(display, m.line, m.column), "",
                        "a second YAML document starts here",
                        "keep one document per file: remove '---', or fix the indentation so "
                        "that everything belongs to one map");
    }
    if (docs.empty() || docs[0].IsNull() || !docs[0].IsDefined()) {
      doc.value = json::object();
      doc.locations[""] = SourceLoc{display, 1, 1};
      return doc;
    }
    detail::ConvertOptions co;
    co.file = display;
    co.env = &options_;
    try {
      SourceLoc root = detail::mark_loc(display, docs[0].Mark().line, docs[0].Mark().column);
      if (!root.known()) root = SourceLoc{display, 1, 1};
      doc.value = detail::convert(docs[0], doc, "", root, co);
    } catch (const YAML::Exception& e) {
      SourceLoc at = detail::mark_loc(display, e.mark.line, e.mark.column);
      throw ConfigError(at, "", "invalid YAML: " + e.msg, detail::yaml_hint(e.msg));
    }
    return doc;
  }

  const LoadOptions& options_;
  std::vector<std::pair<fs::path, std::string>> stack_;
};

}  // namespace

Document load_file(const fs::path& path, const LoadOptions& options) {
  Loader loader(options);
  return loader.load_path(path, nullptr);
}

Document load_string(std::string_view text, const std::string& name, const LoadOptions& options) {
  Loader loader(options);
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(fs::path(name), ec);
  if (ec) canon = fs::path(name);
  return loader.load_text(std::string(text), name, canon, nullptr);
}

}  // namespace trustllm::config
