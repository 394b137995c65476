// A fresh folder under the system temp folder for one test, removed with everything in it when
// the object goes out of scope (shared by the unit tests; header-only).
#pragma once

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "trustllm_test_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to path()/name (creating its folders) and returns the file's path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  // Names of everything directly in the folder.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  // `msg` without "<folder>/", so that expectations can use relative names.
  std::string rel(std::string msg) const {
    const std::string prefix = path_.generic_string() + "/";
    for (std::size_t pos; (pos = msg.find(prefix)) != std::string::npos;) {
      msg.erase(pos, prefix.size());
    }
    return msg;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace test_support
