// A model bound to a role, as the engine uses it: the plugin's instances (honouring its
// declared concurrency), the response cache, and retries with backoff.
#pragma once

#include <trustllm/engine/suite.hpp>
#include <trustllm/host.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace trustllm::engine {

// Where responses are cached. get() returns the stored response JSON for a key.
class ResponseCache {
 public:
  virtual ~ResponseCache() = default;
  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual void put(const std::string& key, const std::string& inputs_json,
                   const std::string& response_json) = 0;
};

// Instances of one model plugin, handed out to callers as its capabilities allow:
// concurrent-call plugins share one instance; multi-instance plugins get one per worker;
// other plugins are called one at a time.
class InstancePool {
 public:
  InstancePool(const host::Component& component, std::string config_json, unsigned capacity);
  // Runs fn(handle) with an instance reserved for this caller.
  std::string with_instance(const std::function<std::string(const host::ModelHandle&)>& fn);
  unsigned capacity() const { return capacity_; }
  const host::ModelHandle& first();

 private:
  host::ModelHandle create();
  host::Component component_;
  std::string config_json_;
  bool concurrent_ = false;
  bool multi_ = false;
  unsigned capacity_ = 1;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<host::ModelHandle>> all_;
  std::vector<host::ModelHandle*> idle_;
  unsigned in_use_ = 0;
};

struct CallStats {
  std::atomic<uint64_t> calls{0}, cache_hits{0}, retries{0}, failures{0};
  std::atomic<uint64_t> prompt_tokens{0}, completion_tokens{0};
};

class ModelClient {
 public:
  ModelClient(const RoleBinding& binding, const host::Component& component, unsigned jobs,
              ResponseCache* cache, const std::atomic<bool>* cancel);

  const std::string& role() const { return role_; }
  const nlohmann::json& identity() const { return identity_; }
  unsigned concurrency() const { return pool_.capacity(); }
  CallStats& stats() { return stats_; }

  struct Result {
    std::string response_json;
    nlohmann::json response;  // response_json, parsed
    bool cached = false;
    int attempts = 0;
  };
  // Sends one request (see docs/sdk.md "Model requests"). `request` may carry a "context"
  // object, which reaches the plugin but is not part of the cache key. Throws
  // host::CallError once retries are exhausted or the error is not retryable.
  Result call(const nlohmann::json& request, void* host_context = nullptr);

  // The inputs that identify a response in the cache.
  nlohmann::json cache_inputs(const nlohmann::json& request) const;

 private:
  std::string role_;
  RetryPolicy retry_;
  InstancePool pool_;
  nlohmann::json identity_;
  bool cacheable_ = true;
  ResponseCache* cache_;
  const std::atomic<bool>* cancel_;
  CallStats stats_;
};

// Delay before retry number `attempt` (1-based): full jitter over an exponential ceiling,
// at least the server's Retry-After when it gave one.
double backoff_delay(const RetryPolicy& policy, int attempt, double retry_after, uint64_t salt);

}  // namespace trustllm::engine
