// trustllm plugin SDK — header-only host-side wrapper.
//
// RAII handles over the C tables of abi.h. A handle owns the plugin object (destroy() in its
// destructor) and pins the library it came from (`Library` is any shared_ptr the loader hands
// out; the host never unloads a library while a handle lives). Errors come back as
// trustllm::host::CallError with the plugin's status and one-line message.
#pragma once

#include <trustllm/abi.h>

#include <atomic>
#include <cstddef>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// The host's definition of the opaque per-call context.
struct tlm_call {
  std::string error;
  double retry_after = -1;
  const std::atomic<bool>* cancel_flag = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  void* host_context = nullptr;  // what call_model() needs to reach the roles of this run
};

namespace trustllm::host {

using Library = std::shared_ptr<const void>;

inline tlm_str to_tlm(std::string_view s) { return tlm_str{s.data(), s.size()}; }

inline const char* status_name(tlm_status s) {
  switch (s) {
    case TLM_OK: return "ok";
    case TLM_E_CONFIG: return "configuration error";
    case TLM_E_RUNTIME: return "runtime error";
    case TLM_E_UNSUPPORTED: return "unsupported";
    case TLM_E_CANCELLED: return "cancelled";
    case TLM_E_RETRYABLE: return "transient error";
    case TLM_E_REQUEST: return "request rejected";
    case TLM_E_INPUT: return "bad input";
    case TLM_E_NOT_FOUND: return "not found";
  }
  return "unknown status";
}

class CallError : public std::runtime_error {
 public:
  CallError(tlm_status status, const std::string& message, double retry_after = -1)
      : std::runtime_error(message), status_(status), retry_after_(retry_after) {}
  tlm_status status() const { return status_; }
  double retry_after() const { return retry_after_; }
  bool retryable() const { return status_ == TLM_E_RETRYABLE; }

 private:
  tlm_status status_;
  double retry_after_;
};

// Collects what a plugin emits into a sink.
struct StringSink {
  std::string text;
  tlm_sink sink{this, [](void* ctx, tlm_str s) {
                  static_cast<StringSink*>(ctx)->text.append(s.data, s.size);
                }};
};

// Per-call options the host passes down.
struct CallOptions {
  const std::atomic<bool>* cancel_flag = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  void* host_context = nullptr;
};

inline tlm_call make_call(const CallOptions& o) {
  tlm_call c;
  c.cancel_flag = o.cancel_flag;
  c.deadline = o.deadline;
  c.host_context = o.host_context;
  return c;
}

inline void check(tlm_status st, tlm_call& call, std::string_view what) {
  if (st == TLM_OK) return;
  std::string msg = call.error.empty() ? std::string(what) + ": " + status_name(st) : call.error;
  throw CallError(st, msg, call.retry_after);
}

// A component descriptor together with the library that holds it.
struct Component {
  const tlm_component_desc* desc = nullptr;
  Library library;
  std::string path;  // file the component came from, for messages
  const char* name() const { return desc->name; }
};

// Generic owner of a plugin object.
template <class VT>
class Handle {
 public:
  Handle() = default;
  Handle(const Component& c, std::string_view config_json, const tlm_host_api* api,
         const CallOptions& opts = {})
      : component_(c), vt_(static_cast<const VT*>(c.desc->vtable)) {
    if (!vt_ || vt_->struct_size < sizeof(uint32_t) + 2 * sizeof(void*)) {
      throw CallError(TLM_E_RUNTIME, c.path + ": component '" + c.desc->name +
                                         "' has no usable function table — rebuild the plugin");
    }
    tlm_call call = make_call(opts);
    void* self = nullptr;
    tlm_status st = vt_->create(to_tlm(config_json), api, &self, &call);
    if (st != TLM_OK) {
      std::string msg = call.error.empty() ? status_name(st) : call.error;
      throw CallError(st, msg, call.retry_after);
    }
    self_ = std::shared_ptr<void>(self, [vt = vt_, lib = c.library](void* p) {
      if (p) vt->destroy(p);
    });
  }
  const Component& component() const { return component_; }
  explicit operator bool() const { return self_ != nullptr; }

 protected:
  // True when the plugin's table is long enough to have `member`.
  template <class M>
  bool has(M VT::*member) const {
    auto offset = reinterpret_cast<size_t>(&(static_cast<VT*>(nullptr)->*member));
    return vt_->struct_size >= offset + sizeof(M) && (vt_->*member) != nullptr;
  }
  Component component_;
  const VT* vt_ = nullptr;
  std::shared_ptr<void> self_;
};

class DatasetHandle : public Handle<tlm_dataset_vt> {
 public:
  using Handle::Handle;
  std::string info(const CallOptions& o = {}) const {
    tlm_call call = make_call(o);
    StringSink s;
    check(vt_->info(self_.get(), &s.sink, &call), call, "dataset info");
    return s.text;
  }
  uint64_t count(const CallOptions& o = {}) const {
    tlm_call call = make_call(o);
    uint64_t n = 0;
    check(vt_->count(self_.get(), &n, &call), call, "dataset count");
    return n;
  }
  // fn(std::string_view item_json) for each item in [first, first+max).
  template <class F>
  void read(uint64_t first, uint64_t max, F&& fn, const CallOptions& o = {}) const {
    tlm_call call = make_call(o);
    tlm_sink sink{&fn, [](void* ctx, tlm_str s) {
                    (*static_cast<std::remove_reference_t<F>*>(ctx))(
                        std::string_view(s.data, s.size));
                  }};
    check(vt_->read(self_.get(), first, max, &sink, &call), call, "dataset read");
  }
};

class ModelHandle : public Handle<tlm_model_vt> {
 public:
  using Handle::Handle;
  std::string identity(const CallOptions& o = {}) const {
    tlm_call call = make_call(o);
    StringSink s;
    check(vt_->identity(self_.get(), &s.sink, &call), call, "model identity");
    return s.text;
  }
  std::string call(std::string_view request_json, const CallOptions& o = {}) const {
    tlm_call c = make_call(o);
    StringSink s;
    check(vt_->call(self_.get(), to_tlm(request_json), &s.sink, &c), c, "model call");
    return s.text;
  }
};

class MetricHandle : public Handle<tlm_metric_vt> {
 public:
  using Handle::Handle;
  std::string evaluate(std::string_view sample_json, const CallOptions& o = {}) const {
    tlm_call call = make_call(o);
    StringSink s;
    check(vt_->evaluate(self_.get(), to_tlm(sample_json), &s.sink, &call), call,
          "metric evaluate");
    return s.text;
  }

  // One aggregation pass: add() every stored (sample, record), then finish().
  class Aggregation {
   public:
    Aggregation(const MetricHandle& m, const CallOptions& o) : m_(m), opts_(o) {
      tlm_call call = make_call(o);
      check(m_.vt_->aggregate_begin(m_.self_.get(), &acc_, &call), call, "metric aggregate");
    }
    Aggregation(const Aggregation&) = delete;
    Aggregation& operator=(const Aggregation&) = delete;
    ~Aggregation() {
      if (acc_) {  // finish() was not reached: let the plugin release its accumulator
        tlm_call call = make_call(opts_);
        StringSink s;
        m_.vt_->aggregate_end(m_.self_.get(), acc_, &s.sink, &call);
      }
    }
    // Options for this aggregation (ABI 1.1, e.g. {"bootstrap":{"resamples":1000,"seed":7}}).
    // Returns false, doing nothing, when the plugin was built against ABI 1.0.
    bool configure(std::string_view options_json) {
      if (m_.vt_->struct_size < offsetof(tlm_metric_vt, aggregate_configure) +
                                    sizeof(m_.vt_->aggregate_configure) ||
          !m_.vt_->aggregate_configure) {
        return false;
      }
      tlm_call call = make_call(opts_);
      check(m_.vt_->aggregate_configure(m_.self_.get(), acc_, to_tlm(options_json), &call),
            call, "metric aggregate");
      return true;
    }
    void add(std::string_view sample_json, std::string_view record_json) {
      tlm_call call = make_call(opts_);
      check(m_.vt_->aggregate_add(m_.self_.get(), acc_, to_tlm(sample_json),
                                  to_tlm(record_json), &call),
            call, "metric aggregate");
    }
    std::string finish() {
      tlm_call call = make_call(opts_);
      StringSink s;
      void* acc = std::exchange(acc_, nullptr);
      check(m_.vt_->aggregate_end(m_.self_.get(), acc, &s.sink, &call), call,
            "metric aggregate");
      return s.text;
    }

   private:
    const MetricHandle& m_;
    CallOptions opts_;
    void* acc_ = nullptr;
  };
  Aggregation aggregate(const CallOptions& o = {}) const { return Aggregation(*this, o); }
};

}  // namespace trustllm::host
