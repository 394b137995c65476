#include <trustllm/config/error.hpp>

namespace trustllm::config {

std::string SourceLoc::str() const {
  std::string f = file.empty() ? std::string("(config)") : file;
  if (line <= 0) return f;
  return f + ":" + std::to_string(line) + ":" + std::to_string(col > 0 ? col : 1);
}

std::string ConfigError::format(const SourceLoc& loc, const std::string& key_path,
                                const std::string& problem, const std::string& hint) {
  std::string out = loc.str() + ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += problem;
  if (!hint.empty()) out += std::string(kAdviceSeparator) + hint;
  // One line, always.
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

ConfigError::ConfigError(const std::string& message) : std::runtime_error(message) {
  problem_ = message;
}

ConfigError::ConfigError(SourceLoc loc, std::string key_path, std::string problem,
                         std::string hint)
    : std::runtime_error(format(loc, key_path, problem, hint)),
      loc_(std::move(loc)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)),
      hint_(std::move(hint)) {}

}  // namespace trustllm::config
