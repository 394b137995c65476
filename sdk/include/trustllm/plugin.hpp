// trustllm plugin SDK — header-only C++ layer for plugin authors.
//
// Derive from trustllm::sdk::Dataset / Model / Metric, give the class a static `meta()`
// and export all components of the library with one macro:
//
//   class MyMetric : public trustllm::sdk::Metric {
//    public:
//     static trustllm::sdk::Meta meta() { return {"my_metric", "1.0.0", "what it does", ...}; }
//     MyMetric(const trustllm::sdk::json& config, trustllm::sdk::Host host);
//     json evaluate(const json& sample, Call& call) override;
//     std::unique_ptr<Accumulator> begin(Call& call) override;
//   };
//   TRUSTLLM_PLUGIN(MyMetric)
//
// Everything here is compiled into the plugin; only the C structs of abi.h cross the boundary.
// Exceptions thrown by your code become a status plus a one-line message.
#pragma once

#include <trustllm/abi.h>
#include <trustllm/bootstrap.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#define TRUSTLLM_SDK_VERSION "0.1.0"

namespace trustllm::sdk {

using json = nlohmann::json;

inline tlm_str to_tlm(std::string_view s) { return tlm_str{s.data(), s.size()}; }

// JSON text for the boundary. Model output may hold invalid UTF-8 (a multi-byte character cut
// by max_tokens, raw bytes): such bytes become U+FFFD instead of failing the call.
inline std::string to_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
inline std::string_view from_tlm(tlm_str s) {
  return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

// An error with a status. Throw it from any method; the SDK turns it into the C status.
class Error : public std::runtime_error {
 public:
  Error(tlm_status status, const std::string& message, double retry_after = -1)
      : std::runtime_error(message), status_(status), retry_after_(retry_after) {}
  tlm_status status() const { return status_; }
  double retry_after() const { return retry_after_; }

 private:
  tlm_status status_;
  double retry_after_;
};

// Configuration problem; `pointer` is the JSON pointer of the offending key inside the config.
inline Error config_error(const std::string& pointer, const std::string& message) {
  return Error(TLM_E_CONFIG, (pointer.empty() ? std::string() : pointer + ": ") + message);
}

struct Meta {
  const char* name;
  const char* version;
  const char* description;
  const char* license = "Apache-2.0";
  const char* config_schema = R"({"type":"object","additionalProperties":false,"properties":{}})";
  const char* example_config = "";
  uint64_t capabilities = 0;
  uint32_t max_concurrency = 0;
};

// Host services available during create() (logging) and, through Call, during every call.
class Host {
 public:
  Host() = default;
  explicit Host(const tlm_host_api* api, std::string component = {})
      : api_(api), component_(std::move(component)) {}
  const tlm_host_api* api() const { return api_; }
  void log(tlm_log_level level, std::string_view message) const {
    if (api_ && api_->log) api_->log(level, to_tlm(component_), to_tlm(message));
  }
  void info(std::string_view m) const { log(TLM_LOG_INFO, m); }
  void warn(std::string_view m) const { log(TLM_LOG_WARN, m); }
  void debug(std::string_view m) const { log(TLM_LOG_DEBUG, m); }

 private:
  const tlm_host_api* api_ = nullptr;
  std::string component_;
};

// The context of one call from the host.
class Call {
 public:
  Call(const Host& host, tlm_call* call) : host_(host), call_(call) {}
  const Host& host() const { return host_; }
  tlm_call* raw() const { return call_; }
  bool cancelled() const {
    const tlm_host_api* a = host_.api();
    return a && a->is_cancelled && call_ && a->is_cancelled(call_) != 0;
  }
  void throw_if_cancelled() const {
    if (cancelled()) throw Error(TLM_E_CANCELLED, "cancelled");
  }
  // Ask the model bound to `role` (e.g. "judge"). Throws Error on failure.
  json call_model(std::string_view role, const json& request) const {
    const tlm_host_api* a = host_.api();
    if (!a || a->struct_size < offsetof(tlm_host_api, call_model) + sizeof(a->call_model) ||
        !a->call_model)
      throw Error(TLM_E_UNSUPPORTED, "this host cannot call models from plugins");
    std::string req = to_text(request);
    std::string out;
    tlm_sink sink{&out, [](void* ctx, tlm_str s) {
                    static_cast<std::string*>(ctx)->append(s.data, s.size);
                  }};
    tlm_status st = a->call_model(call_, to_tlm(role), to_tlm(req), &sink);
    if (st != TLM_OK) {
      // On failure the host writes the error text into the sink.
      throw Error(st, out.empty() ? "model call for role '" + std::string(role) + "' failed" : out);
    }
    return json::parse(out);
  }

 private:
  const Host& host_;
  tlm_call* call_;
};

// ---- component interfaces --------------------------------------------------------------

class Dataset {
 public:
  virtual ~Dataset() = default;
  // {"task":..., "dimension":..., "files":[{"path":..., "sha256":...}], ...}
  virtual json info(Call& call) = 0;
  virtual uint64_t count(Call& call) = 0;
  // Emit items [first, first + max). Item format: docs/sdk.md "Items".
  virtual void read(uint64_t first, uint64_t max, const std::function<void(const json&)>& emit,
                    Call& call) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // {"backend":..., "model":..., "endpoint":...}
  virtual json identity(Call& call) = 0;
  // Model request -> model response, docs/sdk.md "Model requests".
  virtual json call(const json& request, Call& call) = 0;
};

class Accumulator {
 public:
  virtual ~Accumulator() = default;
  virtual void add(const json& sample, const json& record, Call& call) = 0;
  // {"metrics":[{"metric":..., "value":..., "n":..., "direction":..., "status":"ok"}, ...]}
  // When bootstrap().resamples > 0, each ok entry should also carry "replicates" (see
  // trustllm/bootstrap.hpp); the host turns them into "ci95".
  virtual json finish(Call& call) = 0;

  // What the host asked for this aggregation (set before the first add()).
  const BootstrapOptions& bootstrap() const { return bootstrap_; }
  void set_bootstrap(const BootstrapOptions& options) { bootstrap_ = options; }

 private:
  BootstrapOptions bootstrap_;
};

class Metric {
 public:
  virtual ~Metric() = default;
  // Per-item evaluation record (stored per sample, reused on re-score). Thread-safe.
  virtual json evaluate(const json& sample, Call& call) = 0;
  virtual std::unique_ptr<Accumulator> begin(Call& call) = 0;
};

// ---- C trampolines ---------------------------------------------------------------------

namespace detail {

template <class T>
struct Instance {
  Host host;
  std::unique_ptr<T> object;
};

inline void set_error(const tlm_host_api* api, tlm_call* call, std::string_view message) {
  if (api && api->set_error) api->set_error(call, to_tlm(message));
}

template <class F>
tlm_status guarded(const tlm_host_api* api, tlm_call* call, F&& f) noexcept {
  try {
    f();
    return TLM_OK;
  } catch (const Error& e) {
    set_error(api, call, e.what());
    if (e.retry_after() >= 0 && api && api->set_retry_after) {
      api->set_retry_after(call, e.retry_after());
    }
    return e.status();
  } catch (const json::exception& e) {
    set_error(api, call, std::string("JSON error: ") + e.what());
    return TLM_E_INPUT;
  } catch (const std::exception& e) {
    set_error(api, call, e.what());
    return TLM_E_RUNTIME;
  } catch (...) {
    set_error(api, call, "unknown exception in plugin");
    return TLM_E_RUNTIME;
  }
}

inline void emit(tlm_sink* sink, const std::string& s) {
  if (sink && sink->emit) sink->emit(sink->ctx, to_tlm(s));
}

template <class T>
tlm_status create(tlm_str config, const tlm_host_api* api, void** self, tlm_call* call) noexcept {
  return guarded(api, call, [&] {
    *self = nullptr;
    json cfg;
    try {
      cfg = config.size ? json::parse(from_tlm(config)) : json::object();
    } catch (const json::exception& e) {
      throw Error(TLM_E_CONFIG, std::string("configuration is not valid JSON: ") + e.what());
    }
    auto inst = std::make_unique<Instance<T>>();
    inst->host = Host(api, T::meta().name);
    inst->object = std::make_unique<T>(cfg, inst->host);
    *self = inst.release();
  });
}

template <class T>
void destroy(void* self) noexcept {
  delete static_cast<Instance<T>*>(self);
}

template <class T>
Instance<T>& inst(void* self) {
  return *static_cast<Instance<T>*>(self);
}

// Dataset
template <class T>
tlm_status ds_info(void* self, tlm_sink* out, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    emit(out, to_text(in.object->info(call)));
  });
}
template <class T>
tlm_status ds_count(void* self, uint64_t* n, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    *n = in.object->count(call);
  });
}
template <class T>
tlm_status ds_read(void* self, uint64_t first, uint64_t max, tlm_sink* items,
                   tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    in.object->read(first, max, [&](const json& item) { emit(items, to_text(item)); }, call);
  });
}

// Model
template <class T>
tlm_status md_identity(void* self, tlm_sink* out, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    emit(out, to_text(in.object->identity(call)));
  });
}
template <class T>
tlm_status md_call(void* self, tlm_str request, tlm_sink* out, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    json req = json::parse(from_tlm(request));
    emit(out, to_text(in.object->call(req, call)));
  });
}

// Metric
template <class T>
tlm_status mt_evaluate(void* self, tlm_str sample, tlm_sink* out, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    emit(out, to_text(in.object->evaluate(json::parse(from_tlm(sample)), call)));
  });
}
template <class T>
tlm_status mt_begin(void* self, void** acc, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    *acc = in.object->begin(call).release();
  });
}
template <class T>
tlm_status mt_add(void* self, void* acc, tlm_str sample, tlm_str record, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    static_cast<Accumulator*>(acc)->add(json::parse(from_tlm(sample)),
                                        json::parse(from_tlm(record)), call);
  });
}
template <class T>
tlm_status mt_configure(void* self, void* acc, tlm_str options, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  return guarded(in.host.api(), c, [&] {
    const json o = json::parse(from_tlm(options));
    BootstrapOptions b;
    if (o.contains("bootstrap") && o["bootstrap"].is_object()) {
      b.resamples = o["bootstrap"].value("resamples", uint32_t{0});
      b.seed = o["bootstrap"].value("seed", uint64_t{0});
    }
    static_cast<Accumulator*>(acc)->set_bootstrap(b);
  });
}
template <class T>
tlm_status mt_end(void* self, void* acc, tlm_sink* out, tlm_call* c) noexcept {
  auto& in = inst<T>(self);
  std::unique_ptr<Accumulator> owned(static_cast<Accumulator*>(acc));
  return guarded(in.host.api(), c, [&] {
    Call call(in.host, c);
    emit(out, to_text(owned->finish(call)));
  });
}

template <class T>
const tlm_component_desc* describe() {
  static_assert(std::is_base_of_v<Dataset, T> || std::is_base_of_v<Model, T> ||
                    std::is_base_of_v<Metric, T>,
                "a component derives from trustllm::sdk::Dataset, Model or Metric");
  static_assert(std::is_constructible_v<T, const json&, Host>,
                "a component has a constructor T(const json& config, trustllm::sdk::Host host)");
  static const Meta m = T::meta();
  auto desc = [](uint32_t kind, const void* vt) {
    return tlm_component_desc{sizeof(tlm_component_desc), kind, m.name, m.version,
                              m.description, m.license, m.config_schema, m.example_config,
                              m.capabilities, m.max_concurrency, vt};
  };
  if constexpr (std::is_base_of_v<Dataset, T>) {
    static const tlm_dataset_vt vt{sizeof(tlm_dataset_vt), &create<T>,   &destroy<T>,
                                   &ds_info<T>,            &ds_count<T>, &ds_read<T>};
    static const tlm_component_desc d = desc(TLM_KIND_DATASET, &vt);
    return &d;
  } else if constexpr (std::is_base_of_v<Model, T>) {
    static const tlm_model_vt vt{sizeof(tlm_model_vt), &create<T>, &destroy<T>, &md_identity<T>,
                                 &md_call<T>};
    static const tlm_component_desc d = desc(TLM_KIND_MODEL, &vt);
    return &d;
  } else {
    static const tlm_metric_vt vt{sizeof(tlm_metric_vt), &create<T>,  &destroy<T>, &mt_evaluate<T>,
                                  &mt_begin<T>,          &mt_add<T>, &mt_end<T>,
                                  &mt_configure<T>};
    static const tlm_component_desc d = desc(TLM_KIND_METRIC, &vt);
    return &d;
  }
}

template <class... T>
const tlm_plugin_info* plugin_info() {
  static const tlm_component_desc* const components[] = {describe<T>()...};
  static const tlm_plugin_info info{sizeof(tlm_plugin_info), TLM_ABI_MAJOR, TLM_ABI_MINOR,
                                    TRUSTLLM_SDK_VERSION, sizeof...(T), components};
  return &info;
}

}  // namespace detail
}  // namespace trustllm::sdk

// Exports the library's single entry symbol, listing every component it provides.
#define TRUSTLLM_PLUGIN(...)                                                        \
  extern "C" TLM_EXPORT const tlm_plugin_info* trustllm_plugin_entry_v1(          \
      uint16_t host_abi_major, uint16_t host_abi_minor) {                           \
    (void)host_abi_major;                                                           \
    (void)host_abi_minor;                                                           \
    return ::trustllm::sdk::detail::plugin_info<__VA_ARGS__>();                     \
  }
