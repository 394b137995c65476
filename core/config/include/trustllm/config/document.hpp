// A loaded configuration: a JSON value plus where every node came from.
#pragma once

#include <trustllm/config/error.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::config {

using json = nlohmann::json;

struct Document {
  // The configuration (after includes and ${VAR} interpolation, without the `include` key).
  json value = json::object();
  // The file that was loaded (as given); empty for documents built in code.
  std::string file;
  // Every file that contributed, the main file first, then includes in load order.
  std::vector<std::string> files;
  // JSON pointer ("/tasks/0/dataset/plugin") -> position of the value node.
  std::map<std::string, SourceLoc> locations;
  // JSON pointer of a map entry -> position of its key (used for "unknown key" errors).
  std::map<std::string, SourceLoc> key_locations;
  // Pointers whose value came from ${VAR} interpolation (redacted as secrets).
  std::set<std::string> interpolated;

  // The location of `pointer`, or of its nearest ancestor that has one; {file, 0, 0} if none.
  SourceLoc where(const std::string& pointer) const;
  // The location of the key naming `pointer` if it is a map entry, else where(pointer).
  SourceLoc where_key(const std::string& pointer) const;
  // where(pointer).str(): "file:line:col".
  std::string locate(const std::string& pointer) const;
  // "/tasks/0/dataset/plugin" -> "tasks[0].dataset.plugin"; "" -> "(top level)".
  std::string human_path(const std::string& pointer) const;
  bool is_interpolated(const std::string& pointer) const { return interpolated.count(pointer) > 0; }

  // A ConfigError located at the value of `pointer` (error_at_key: at its key).
  ConfigError error_at(const std::string& pointer, const std::string& problem,
                       const std::string& hint) const;
  ConfigError error_at_key(const std::string& pointer, const std::string& problem,
                           const std::string& hint) const;
};

struct LoadOptions {
  // Looks up ${VAR}; std::nullopt = not set. Default: std::getenv.
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

// Loads a YAML file: typed scalars (YAML 1.2 core schema), top-level `include:` (string or list,
// relative to the including file, deep-merged under the file's own keys), ${VAR} / ${VAR:-default}
// interpolation ($${ is a literal ${), source locations for every node. Throws ConfigError.
Document load_file(const std::filesystem::path& path, const LoadOptions& options = {});

// Same for YAML text; `name` is used in locations and to resolve relative includes.
Document load_string(std::string_view text, const std::string& name,
                     const LoadOptions& options = {});

// Applies "--set a.b.c=value" (list elements by index: tasks.0.limit=5). The value is read as
// YAML (5 -> integer, true -> boolean, [1,2] -> list). Missing map keys are created. Errors name
// "--set" as the file.
void apply_override(Document& doc, std::string_view assignment);

// JSON pointer helpers.
std::string pointer_escape(std::string_view token);
std::string pointer_unescape(std::string_view token);
std::vector<std::string> pointer_split(const std::string& pointer);
std::string pointer_child(const std::string& pointer, std::string_view key);
std::string pointer_child(const std::string& pointer, std::size_t index);

}  // namespace trustllm::config
