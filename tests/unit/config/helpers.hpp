// Test helpers: a scratch folder for YAML files and message normalisation.
#pragma once

#include <trustllm/config/config.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "../../common/temp_dir.hpp"

namespace cfgtest {

namespace fs = std::filesystem;
namespace config = trustllm::config;
using json = nlohmann::json;

using test_support::TempDir;

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
