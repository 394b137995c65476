// Shared helpers of engine_test: a scratch folder, the plugin registry, an in-memory response
// cache, the stories260K model folder and the fake_openai_server child process.
#pragma once

#include <trustllm/engine/model_client.hpp>
#include <trustllm/plugin/registry.hpp>

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../../common/temp_dir.hpp"

#ifndef TRUSTLLM_TEST_PLUGIN_DIR
#error "TRUSTLLM_TEST_PLUGIN_DIR must be the folder of the built plugins (build/bin/plugins)"
#endif
#ifndef FAKE_OPENAI_SERVER
#error "FAKE_OPENAI_SERVER must be the path of the fake_openai_server executable"
#endif
#ifndef TRUSTLLM_DEFAULT_MODEL_DIR
#error "TRUSTLLM_DEFAULT_MODEL_DIR must be the shared models folder"
#endif

namespace enginetest {

namespace fs = std::filesystem;
using json = nlohmann::json;

using test_support::TempDir;

// A registry that sees exactly the real plugins of this build.
inline trustllm::plugin::Registry& registry() {
  static trustllm::plugin::Registry r = [] {
    trustllm::plugin::Registry reg;
    reg.add_search_dir(TRUSTLLM_TEST_PLUGIN_DIR);
    return reg;
  }();
  return r;
}

inline trustllm::host::Component model_component(const std::string& name) {
  return registry().load(name, TLM_KIND_MODEL);
}

// A binding as load_suite would produce it (config already complete).
inline trustllm::engine::RoleBinding binding(const std::string& plugin, json config,
                                             const std::string& role = "model") {
  trustllm::engine::RoleBinding b;
  b.role = role;
  b.model.plugin = plugin;
  b.model.config = std::move(config);
  return b;
}

// An in-memory ResponseCache that counts its traffic.
class MemoryCache : public trustllm::engine::ResponseCache {
 public:
  std::optional<std::string> get(const std::string& key) override {
    std::lock_guard lock(mutex_);
    ++gets;
    auto it = entries.find(key);
    if (it == entries.end()) return std::nullopt;
    return it->second.second;
  }
  void put(const std::string& key, const std::string& inputs_json,
           const std::string& response_json) override {
    std::lock_guard lock(mutex_);
    ++puts;
    entries[key] = {inputs_json, response_json};
  }
  int gets = 0, puts = 0;
  std::map<std::string, std::pair<std::string, std::string>> entries;  // key -> (inputs, response)

 private:
  std::mutex mutex_;
};

// The stories260K folder; empty path when the model files are absent.
inline fs::path stories_dir() {
  fs::path d;
  if (const char* env = std::getenv("TRUSTLLM_MODEL_DIR"); env != nullptr && *env != '\0') {
    d = fs::path(env) / "tinyllamas-stories260K";
  } else {
    d = fs::path(TRUSTLLM_DEFAULT_MODEL_DIR) / "tinyllamas-stories260K";
  }
  if (fs::exists(d / "stories260K.bin") && fs::exists(d / "tok512.bin")) return d;
  return {};
}

inline json llama2c_config(const fs::path& dir) {
  return json{{"checkpoint", (dir / "stories260K.bin").string()},
              {"tokenizer", (dir / "tok512.bin").string()}};
}

// fake_openai_server as a child process (stdin is a pipe so it exits if we die).
class FakeServer {
 public:
  explicit FakeServer(const std::string& script_file = "") {
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      std::vector<const char*> argv = {FAKE_OPENAI_SERVER, "--port",  "0",  "--host",
                                       "127.0.0.1",        "--threads", "4", "--retry-after",
                                       "0.01",             "--exit-on-stdin-eof"};
      if (!script_file.empty()) {
        argv.push_back("--script");
        argv.push_back(script_file.c_str());
      }
      argv.push_back(nullptr);
      execv(FAKE_OPENAI_SERVER, const_cast<char* const*>(argv.data()));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (line.find('\n') == std::string::npos) {
      pollfd p{stdout_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        stop();
        throw std::runtime_error("fake_openai_server did not start");
      }
      char buf[128];
      const ssize_t n = read(stdout_, buf, sizeof buf);
      if (n <= 0) {
        stop();
        throw std::runtime_error("fake_openai_server exited early");
      }
      line.append(buf, static_cast<size_t>(n));
    }
    if (line.rfind("LISTENING ", 0) != 0) {
      stop();
      throw std::runtime_error("unexpected line: " + line);
    }
    port_ = std::stoi(line.substr(10));
  }
  ~FakeServer() { stop(); }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // GET /stats of the server.
  json stats() const {
    CURL* h = curl_easy_init();
    std::string out;
    const std::string u = url("/stats");
    curl_easy_setopt(h, CURLOPT_URL, u.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    const CURLcode rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) throw std::runtime_error("GET /stats failed");
    return json::parse(out);
  }

 private:
  static size_t collect(char* d, size_t s, size_t n, void* u) {
    static_cast<std::string*>(u)->append(d, s * n);
    return s * n;
  }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (stdin_ >= 0) close(stdin_);
    if (stdout_ >= 0) close(stdout_);
    stdin_ = stdout_ = -1;
  }
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  int port_ = 0;
};

inline json chat(const std::string& text, int max_tokens = 16) {
  return json{{"op", "chat"},
              {"messages", json::array({{{"role", "user"}, {"content", text}}})},
              {"max_tokens", max_tokens},
              {"temperature", 0}};
}

}  // namespace enginetest
