// Test helpers: a scratch folder for YAML files and message normalisation.
#pragma once

#include <trustllm/config/config.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace cfgtest {

namespace fs = std::filesystem;
namespace config = trustllm::config;
using json = nlohmann::json;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "trustllm_config_test_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // Removes "<dir>/" from a message so that expectations can use relative names.
  std::string rel(std::string msg) const {
    const std::string prefix = path_.generic_string() + "/";
    for (std::size_t pos; (pos = msg.find(prefix)) != std::string::npos;) msg.erase(pos, prefix.size());
    return msg;
  }

 private:
  fs::path path_;
};

inline config::LoadOptions env(std::map<std::string, std::string> vars) {
  config::LoadOptions o;
  o.getenv = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return o;
}

// Runs fn, expecting a ConfigError; returns its message with the temp dir stripped.
template <typename Fn>
std::string error_of(const TempDir& dir, Fn&& fn) {
  try {
    fn();
  } catch (const config::ConfigError& e) {
    CHECK(e.exit_code() == 2);
    return dir.rel(e.what());
  }
  FAIL("expected a ConfigError");
  return {};
}

template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const config::ConfigError& e) {
    CHECK(e.exit_code() == 2);
    return e.what();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace cfgtest
