// YAML node -> JSON value with source locations.
#include "internal.hpp"

#include <yaml-cpp/yaml.h>

#include <vector>

namespace trustllm::config::detail {

namespace {

constexpr int kMaxDepth = 200;
constexpr std::size_t kMaxNodes = 100'000;  // values after alias expansion

const std::string kStrTag = "tag:yaml.org,2002:str";
const std::string kIntTag = "tag:yaml.org,2002:int";
const std::string kFloatTag = "tag:yaml.org,2002:float";
const std::string kBoolTag = "tag:yaml.org,2002:bool";
const std::string kNullTag = "tag:yaml.org,2002:null";

class Converter {
 public:
  Converter(Document& doc, const ConvertOptions& options) : doc_(doc), opt_(options) {}

  json node(const YAML::Node& n, const std::string& ptr, const SourceLoc& at, int depth) {
    if (depth > kMaxDepth) {
      std::string path = human(ptr);
      if (path.size() > 60) path = path.substr(0, 57) + "...";
      throw ConfigError(at, path, "nesting is deeper than " + std::to_string(kMaxDepth) +
                                            " levels (or an alias contains itself)",
                        "flatten the structure or remove the recursive alias");
    }
    if (++nodes_ > kMaxNodes) {
      throw ConfigError(at, human(ptr), "the document expands to too many values",
                        "check for aliases that refer to each other many times");
    }
    doc_.locations[ptr] = at;
    switch (n.Type()) {
      case YAML::NodeType::Map: return map(n, ptr, depth);
      case YAML::NodeType::Sequence: return sequence(n, ptr, at, depth);
      case YAML::NodeType::Scalar: return scalar(n, ptr, at);
      default: return json(nullptr);
    }
  }

  SourceLoc loc_of(const YAML::Node& n) const {
    if (opt_.fixed_location) return opt_.location;
    const YAML::Mark m = n.Mark();
    return mark_loc(opt_.file, m.line, m.column);
  }

 private:
  std::string human(const std::string& ptr) const { return human_path_of(ptr, nullptr); }

  json map(const YAML::Node& n, const std::string& ptr, int depth) {
    json obj = json::object();
    std::vector<std::pair<YAML::Node, SourceLoc>> merges;
    for (auto it = n.begin(); it != n.end(); ++it) {
      // Copies: the iterator hands out a temporary pair.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      const SourceLoc key_at = loc_of(k);
      if (!k.IsScalar()) {
        throw ConfigError(key_at, human(ptr),
                          k.IsNull() ? "a map key is empty" : "a map key is a list or a map",
                          "use plain text keys");
      }
      const std::string key = k.Scalar();
      if (key == "<<" && k.Tag() == "?") {
        merges.emplace_back(v, key_at);
        continue;
      }
      const std::string child = pointer_child(ptr, key);
      if (obj.contains(key)) {
        const SourceLoc first = doc_.key_locations[child];
        throw ConfigError(key_at, human(child),
                          "duplicate key (first defined at line " + std::to_string(first.line) + ")",
                          "remove one of the two");
      }
      doc_.key_locations[child] = key_at;
      SourceLoc value_at = loc_of(v);
      // An empty value ("key:" then a newline) is reported by the parser at the next token;
      // point at the key instead.
      if (!opt_.fixed_location && (v.IsNull() || !v.IsDefined()) &&
          (!value_at.known() || value_at.line != key_at.line)) {
        value_at = key_at;
      }
      obj[key] = node(v, child, value_at, depth + 1);
    }
    // YAML merge keys (<<: *base, or a list of them): keys of the map win, then earlier merges.
    for (const auto& [src, src_at] : merges) {
      std::vector<YAML::Node> sources;
      if (src.IsMap()) {
        sources.push_back(src);
      } else if (src.IsSequence()) {
        for (const auto& s : src) sources.push_back(s);
      } else {
        sources.push_back(src);  // rejected below
      }
      for (const auto& s : sources) {
        if (!s.IsMap()) {
          throw ConfigError(src_at, human(ptr), "<< must refer to a map or a list of maps",
                            "write <<: *anchor where the anchor names a map");
        }
        Document tmp;
        Converter sub(tmp, opt_);
        sub.nodes_ = nodes_;
        json merged = sub.node(s, ptr, src_at, depth + 1);
        nodes_ = sub.nodes_;
        for (auto& [k, v] : merged.items()) {
          if (obj.contains(k)) continue;
          obj[k] = v;
          copy_subtree(doc_, tmp, pointer_child(ptr, k));
        }
      }
    }
    return obj;
  }

  json sequence(const YAML::Node& n, const std::string& ptr, const SourceLoc& at, int depth) {
    json arr = json::array();
    std::size_t i = 0;
    for (const auto& item : n) {
      SourceLoc item_at = loc_of(item);
      if (!item_at.known()) item_at = at;
      arr.push_back(node(item, pointer_child(ptr, i), item_at, depth + 1));
      ++i;
    }
    return arr;
  }

  json scalar(const YAML::Node& n, const std::string& ptr, const SourceLoc& at) {
    const std::string& tag = n.Tag();
    std::string text = n.Scalar();
    if (opt_.env) {
      bool substituted = false;
      text = interpolate(text, *opt_.env, at, human(ptr), substituted);
      if (substituted) doc_.interpolated.insert(ptr);
    }
    if (tag == "!" || tag == kStrTag) return json(text);

    std::optional<json> v = resolve_plain(text);
    if (!v) {
      throw ConfigError(at, human(ptr), "integer " + text + " does not fit in 64 bits",
                        "use a smaller number, or quote it to keep it as text");
    }
    auto want = [&](bool ok, const char* what) {
      if (!ok) {
        throw ConfigError(at, human(ptr), "\"" + text + "\" is not " + what,
                          "fix the value or remove the tag");
      }
    };
    if (tag == kIntTag) want(v->is_number_integer(), "an integer (!!int)");
    if (tag == kFloatTag) {
      want(v->is_number(), "a number (!!float)");
      return json(v->get<double>());
    }
    if (tag == kBoolTag) want(v->is_boolean(), "a boolean (!!bool)");
    if (tag == kNullTag) want(v->is_null(), "null (!!null)");
    return *v;
  }

  Document& doc_;
  const ConvertOptions& opt_;
  std::size_t nodes_ = 0;
};

}  // namespace

SourceLoc mark_loc(const std::string& file, int line, int column) {
  if (line < 0 || column < 0) return SourceLoc{file, 0, 0};
  return SourceLoc{file, line + 1, column + 1};
}

json convert(const YAML::Node& node, Document& doc, const std::string& pointer,
             const SourceLoc& at, const ConvertOptions& options) {
  Converter c(doc, options);
  return c.node(node, pointer, at, 0);
}

}  // namespace trustllm::config::detail
