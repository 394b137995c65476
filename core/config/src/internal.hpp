// Shared pieces of the config library (not installed).
#pragma once

#include <trustllm/config/document.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace trustllm::config::detail {

// Reads a plain (unquoted) YAML scalar with the YAML 1.2 core schema: null, booleans, integers
// (decimal, 0o octal, 0x hex), floats. .inf/.nan stay strings (JSON has no such numbers).
// Returns std::nullopt for an integer that does not fit in 64 bits.
std::optional<json> resolve_plain(const std::string& text);

// Replaces ${VAR} / ${VAR:-default} and $${ in `text`. Sets `substituted` when a variable was
// used. Throws ConfigError at `loc` / `key_path`.
std::string interpolate(const std::string& text, const LoadOptions& options, const SourceLoc& loc,
                        const std::string& key_path, bool& substituted);

struct ConvertOptions {
  std::string file;                      // name used in locations
  const LoadOptions* env = nullptr;      // nullptr: no ${VAR} interpolation
  bool fixed_location = false;           // every node gets `location` (for --set values)
  SourceLoc location;
};

// Converts `node` into JSON, recording locations (and interpolations) for `pointer` and below
// into `doc`. `at` is the location to use for the node itself.
json convert(const YAML::Node& node, Document& doc, const std::string& pointer,
             const SourceLoc& at, const ConvertOptions& options);

// Location of a YAML mark in `file` (1-based); {file, 0, 0} for a null mark.
SourceLoc mark_loc(const std::string& file, int line, int column);

// Removes `pointer` and everything below it from the location maps and the interpolated set.
void erase_subtree(Document& doc, const std::string& pointer);
// Copies the bookkeeping of `pointer` and everything below it from `src` to `dst`.
void copy_subtree(Document& dst, const Document& src, const std::string& pointer);
// The same, re-rooting the subtree at `src_pointer` of src to `dst_pointer` of dst.
void copy_subtree_to(Document& dst, const std::string& dst_pointer, const Document& src,
                     const std::string& src_pointer);

// A human description of a value for messages: string "ten", integer 5, list, map, ...
std::string describe(const json& value, bool hidden);

// Human path from pointer tokens without a document (digits are list indices).
std::string human_path_of(const std::string& pointer, const json* root);

// Advice for a YAML parser message.
std::string yaml_hint(const std::string& message);

}  // namespace trustllm::config::detail
