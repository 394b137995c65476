// A small in-process stand-in for the host services (tlm_host_api) the engine provides, for
// driving plugins through host.hpp without the engine: errors and retry hints land in the
// tlm_call, cancellation reads its flag, and call_model answers the "judge" role itself.
#pragma once

#include <trustllm/abi.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <trustllm/host.hpp>
#include <utility>
#include <vector>

namespace fake {

struct State {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> logs;  // (component, message)
  std::vector<nlohmann::json> judge_requests;
};

inline State& state() {
  static State s;
  return s;
}

// What the engine puts into CallOptions::host_context; call_model insists on it, which
// proves the plugin handed the host's own tlm_call back through Call::call_model.
inline void* context() { return &state(); }

inline std::string str(tlm_str s) { return s.data ? std::string(s.data, s.size) : std::string(); }

inline void log(tlm_log_level, tlm_str component, tlm_str message) {
  std::lock_guard lock(state().mutex);
  state().logs.emplace_back(str(component), str(message));
}

inline void set_error(tlm_call* call, tlm_str message) {
  if (call) call->error = str(message);
}

inline int is_cancelled(tlm_call* call) {
  return call && call->cancel_flag && call->cancel_flag->load() ? 1 : 0;
}

inline void set_retry_after(tlm_call* call, double seconds) {
  if (call) call->retry_after = seconds;
}

// The judge says "yes" when the question contains "bad". On failure the error text goes to
// the sink (the contract Call::call_model relies on).
inline tlm_status call_model(tlm_call* call, tlm_str role, tlm_str request, tlm_sink* response) {
  auto emit = [&](const std::string& s) { response->emit(response->ctx, trustllm::host::to_tlm(s)); };
  if (!call || call->host_context != context()) {
    emit("fake host: call_model without the host's call context");
    return TLM_E_RUNTIME;
  }
  if (str(role) != "judge") {
    emit("no model is bound to role '" + str(role) + "'");
    return TLM_E_CONFIG;
  }
  nlohmann::json req = nlohmann::json::parse(str(request));
  {
    std::lock_guard lock(state().mutex);
    state().judge_requests.push_back(req);
  }
  std::string question = req.at("messages").at(0).at("content").get<std::string>();
  bool bad = question.find("bad") != std::string::npos;
  emit(nlohmann::json{{"text", bad ? "yes" : "no"}, {"finish_reason", "stop"}}.dump());
  return TLM_OK;
}

inline const tlm_host_api* api() {
  static const tlm_host_api a{sizeof(tlm_host_api), TLM_ABI_MAJOR, TLM_ABI_MINOR, &log,
                              &set_error, &is_cancelled, &set_retry_after, &call_model};
  return &a;
}

inline trustllm::host::CallOptions options() {
  trustllm::host::CallOptions o;
  o.host_context = context();
  return o;
}

}  // namespace fake
