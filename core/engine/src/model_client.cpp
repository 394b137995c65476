#include <spdlog/spdlog.h>
#include <trustllm/engine/host_services.hpp>
#include <trustllm/engine/model_client.hpp>
#include <trustllm/util/canonical_json.hpp>
#include <trustllm/util/sha256.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace trustllm::engine {

// ---- InstancePool ------------------------------------------------------------------------

InstancePool::InstancePool(const host::Component& component, std::string config_json,
                           unsigned capacity)
    : component_(component), config_json_(std::move(config_json)) {
  const uint64_t caps = component.desc->capabilities;
  concurrent_ = (caps & TLM_CAP_CONCURRENT_CALLS) != 0;
  multi_ = !concurrent_ && (caps & TLM_CAP_MULTI_INSTANCE) != 0;
  capacity_ = (concurrent_ || multi_) ? std::max(1u, capacity) : 1u;
  // Create the first instance now so configuration errors surface before any work starts.
  all_.push_back(std::make_unique<host::ModelHandle>(create()));
  idle_.push_back(all_.back().get());
}

host::ModelHandle InstancePool::create() {
  return host::ModelHandle(component_, config_json_, host_api());
}

const host::ModelHandle& InstancePool::first() { return *all_.front(); }

std::string InstancePool::with_instance(
    const std::function<std::string(const host::ModelHandle&)>& fn) {
  if (concurrent_) {
    // One shared instance; the capacity bounds calls in flight.
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return in_use_ < capacity_; });
      ++in_use_;
    }
    struct Release {
      InstancePool* p;
      ~Release() {
        {
          std::lock_guard l(p->mutex_);
          --p->in_use_;
        }
        p->cv_.notify_one();
      }
    } release{this};
    return fn(*all_.front());
  }
  host::ModelHandle* h = nullptr;
  bool make_new = false;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || (multi_ && all_.size() < capacity_); });
    if (!idle_.empty()) {
      h = idle_.back();
      idle_.pop_back();
    } else {
      make_new = true;
      all_.push_back(nullptr);  // reserve the slot
    }
  }
  if (make_new) {
    try {
      auto handle = std::make_unique<host::ModelHandle>(create());
      std::lock_guard lock(mutex_);
      auto it = std::find(all_.begin(), all_.end(), nullptr);
      *it = std::move(handle);
      h = it->get();
    } catch (...) {
      std::lock_guard lock(mutex_);
      all_.erase(std::find(all_.begin(), all_.end(), nullptr));
      cv_.notify_one();
      throw;
    }
  }
  struct Return {
    InstancePool* p;
    host::ModelHandle* h;
    ~Return() {
      {
        std::lock_guard l(p->mutex_);
        p->idle_.push_back(h);
      }
      p->cv_.notify_one();
    }
  } ret{this, h};
  return fn(*h);
}

// ---- ModelClient -------------------------------------------------------------------------

namespace {
unsigned effective_capacity(const RoleBinding& b, const host::Component& c, unsigned jobs) {
  unsigned cap = std::max(1u, jobs);
  if (c.desc->max_concurrency > 0) cap = std::min(cap, c.desc->max_concurrency);
  if (b.max_concurrency > 0) cap = std::min(cap, b.max_concurrency);
  return cap;
}
}  // namespace

ModelClient::ModelClient(const RoleBinding& binding, const host::Component& component,
                         unsigned jobs, ResponseCache* cache, const std::atomic<bool>* cancel)
    : role_(binding.role),
      retry_(binding.retry),
      pool_(component, binding.model.config.dump(), effective_capacity(binding, component, jobs)),
      cache_(cache),
      cancel_(cancel) {
  std::string id = pool_.first().identity();
  try {
    identity_ = nlohmann::json::parse(id);
  } catch (const std::exception& e) {
    throw host::CallError(TLM_E_RUNTIME, component.path + ": model identity is not JSON (" +
                                             e.what() + ") — fix the plugin");
  }
  if (identity_.is_object() && identity_.contains("cacheable") &&
      identity_["cacheable"].is_boolean()) {
    cacheable_ = identity_["cacheable"].get<bool>();
  }
}

nlohmann::json ModelClient::cache_inputs(const nlohmann::json& request) const {
  nlohmann::json req = request;
  if (req.is_object()) req.erase("context");
  nlohmann::json id = identity_;
  if (id.is_object()) id.erase("cacheable");
  return {{"identity", id}, {"request", req}};
}

namespace {
// Appends the canonical text of `v` without its member `skip` (when `v` is an object) — what
// util::canonical_json gives for a copy of `v` with `skip` erased, without the copy.
void append_canonical_without(std::string& out, const nlohmann::json& v, std::string_view skip) {
  if (!v.is_object()) {
    util::append_canonical_json(out, v);
    return;
  }
  out += '{';
  bool first = true;
  // nlohmann::json keeps members in a std::map<std::string, ...>: already in the byte order
  // canonical_json sorts keys by.
  for (const auto& [key, value] : v.items()) {
    if (key == skip) continue;
    if (!first) out += ',';
    first = false;
    const bool plain = std::none_of(key.begin(), key.end(), [](char c) {
      return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
    });
    if (plain) {
      out += '"';
      out += key;
      out += '"';
    } else {
      util::append_canonical_json(out, nlohmann::json(key));
    }
    out += ':';
    util::append_canonical_json(out, value);
  }
  out += '}';
}

// util::canonical_json(cache_inputs(request)) without copying the request and the identity: the
// canonical text of {"identity": ..., "request": ...} is the two parts in that (sorted) order.
std::string cache_inputs_text(const nlohmann::json& identity, const nlohmann::json& request) {
  std::string out;
  out.reserve(512);
  out += "{\"identity\":";
  append_canonical_without(out, identity, "cacheable");
  out += ",\"request\":";
  append_canonical_without(out, request, "context");
  out += '}';
  return out;
}
}  // namespace

double backoff_delay(const RetryPolicy& policy, int attempt, double retry_after, uint64_t salt) {
  double ceiling = std::min(policy.max_delay, policy.base_delay * std::pow(2.0, attempt - 1));
  std::mt19937_64 rng(salt * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(attempt));
  std::uniform_real_distribution<double> dist(ceiling / 2, ceiling);
  double d = dist(rng);
  if (retry_after >= 0) d = std::max(d, std::min(retry_after, policy.max_delay * 4));
  return d;
}

ModelClient::Result ModelClient::call(const nlohmann::json& request, void* host_context) {
  Result r;
  std::string key;
  std::string inputs;
  if (cache_ && cacheable_) {
    inputs = cache_inputs_text(identity_, request);  // == canonical_json(cache_inputs(request))
    key = util::sha256_hex(inputs);
    if (auto hit = cache_->get(key)) {
      r.response = nlohmann::json::parse(*hit, nullptr, false);
      if (!r.response.is_discarded()) {
        stats_.cache_hits++;
        r.response_json = std::move(*hit);
        r.cached = true;
        return r;
      }
      // A damaged cache entry is ignored: ask the model again and replace it.
    }
  }
  const std::string body = request.dump();
  const uint64_t salt = std::hash<std::string>{}(body);
  for (int attempt = 1;; ++attempt) {
    if (cancel_ && cancel_->load()) throw host::CallError(TLM_E_CANCELLED, "cancelled");
    r.attempts = attempt;
    stats_.calls++;
    host::CallOptions o;
    o.cancel_flag = cancel_;
    o.host_context = host_context;
    if (retry_.request_timeout > 0) {
      o.deadline = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(retry_.request_timeout));
    }
    try {
      r.response_json =
          pool_.with_instance([&](const host::ModelHandle& h) { return h.call(body, o); });
      break;
    } catch (const host::CallError& e) {
      if (e.status() == TLM_E_CANCELLED && cancel_ && cancel_->load()) throw;
      bool retryable = e.retryable() || (e.status() == TLM_E_CANCELLED);  // host deadline
      if (!retryable || attempt >= retry_.max_attempts) {
        stats_.failures++;
        std::string msg = e.what();
        if (retryable) msg += " (gave up after " + std::to_string(attempt) + " attempts)";
        throw host::CallError(e.status(), "role '" + role_ + "': " + msg);
      }
      stats_.retries++;
      double wait = backoff_delay(retry_, attempt, e.retry_after(), salt);
      spdlog::debug("role '{}': {} — retrying in {:.2f}s (attempt {}/{})", role_, e.what(), wait,
                    attempt + 1, retry_.max_attempts);
      auto until = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(wait));
      while (std::chrono::steady_clock::now() < until) {
        if (cancel_ && cancel_->load()) throw host::CallError(TLM_E_CANCELLED, "cancelled");
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            until - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
      }
    }
  }
  try {
    r.response = nlohmann::json::parse(r.response_json);
    const auto& j = r.response;
    if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
      stats_.prompt_tokens += j["usage"].value("prompt_tokens", uint64_t{0});
      stats_.completion_tokens += j["usage"].value("completion_tokens", uint64_t{0});
    }
  } catch (const std::exception& e) {
    stats_.failures++;
    throw host::CallError(TLM_E_RUNTIME,
                          "role '" + role_ + "': model returned invalid JSON (" + e.what() + ")");
  }
  if (cache_ && cacheable_) cache_->put(key, inputs, r.response_json);
  return r;
}

}  // namespace trustllm::engine
