// Configuration errors: one line, "<file>:<line>:<col>: <key path>: <problem> — <what to do>".
#pragma once

#include <stdexcept>
#include <string>

namespace trustllm::config {

// Separator between the problem and the advice in every message.
inline constexpr const char* kAdviceSeparator = " — ";

// A position in a YAML source (1-based). line == 0 means "no position" (e.g. a --set value or a
// file that could not be opened); str() then prints just the file.
struct SourceLoc {
  std::string file;
  int line = 0;
  int col = 0;

  // "file:line:col", or "file" when there is no line.
  std::string str() const;
  bool known() const { return line > 0; }
};

class ConfigError : public std::runtime_error {
 public:
  // A ready-made one-line message (file/key path unknown).
  explicit ConfigError(const std::string& message);

  // Builds "<loc>: <key_path>: <problem> — <hint>"; an empty key path or hint is left out.
  ConfigError(SourceLoc loc, std::string key_path, std::string problem, std::string hint);

  const std::string& file() const { return loc_.file; }
  int line() const { return loc_.line; }
  int column() const { return loc_.col; }
  const SourceLoc& loc() const { return loc_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }
  const std::string& hint() const { return hint_; }

  // Configuration problems end the process with status 2.
  int exit_code() const { return 2; }

  static std::string format(const SourceLoc& loc, const std::string& key_path,
                            const std::string& problem, const std::string& hint);

 private:
  SourceLoc loc_;
  std::string key_path_;
  std::string problem_;
  std::string hint_;
};

}  // namespace trustllm::config
