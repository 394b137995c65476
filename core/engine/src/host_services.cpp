#include <spdlog/spdlog.h>
#include <trustllm/engine/host_services.hpp>

#include <chrono>

namespace trustllm::engine {

namespace {

std::string_view view(tlm_str s) { return s.data ? std::string_view(s.data, s.size) : ""; }

void log(tlm_log_level level, tlm_str component, tlm_str message) {
  auto c = view(component);
  auto m = view(message);
  switch (level) {
    case TLM_LOG_DEBUG: spdlog::debug("[{}] {}", c, m); break;
    case TLM_LOG_INFO: spdlog::info("[{}] {}", c, m); break;
    case TLM_LOG_WARN: spdlog::warn("[{}] {}", c, m); break;
    default: spdlog::error("[{}] {}", c, m); break;
  }
}

void set_error(tlm_call* call, tlm_str message) {
  if (call) call->error.assign(view(message));
}

int is_cancelled(tlm_call* call) {
  if (!call) return 0;
  if (call->cancel_flag && call->cancel_flag->load(std::memory_order_relaxed)) return 1;
  if (call->deadline != std::chrono::steady_clock::time_point::max() &&
      std::chrono::steady_clock::now() > call->deadline)
    return 1;
  return 0;
}

void set_retry_after(tlm_call* call, double seconds) {
  if (call) call->retry_after = seconds;
}

tlm_status call_model(tlm_call* call, tlm_str role, tlm_str request, tlm_sink* response) {
  auto emit = [&](std::string_view s) {
    if (response && response->emit) response->emit(response->ctx, tlm_str{s.data(), s.size()});
  };
  auto* ctx = call ? static_cast<HostContext*>(call->host_context) : nullptr;
  if (!ctx || !ctx->call_model) {
    emit("no model roles are available in this call");
    return TLM_E_UNSUPPORTED;
  }
  try {
    host::CallOptions o;
    o.cancel_flag = call->cancel_flag;
    o.deadline = call->deadline;
    o.host_context = call->host_context;
    emit(ctx->call_model(view(role), view(request), o));
    return TLM_OK;
  } catch (const host::CallError& e) {
    emit(e.what());
    return e.status();
  } catch (const std::exception& e) {
    emit(e.what());
    return TLM_E_RUNTIME;
  }
}

}  // namespace

const tlm_host_api* host_api() {
  static const tlm_host_api api{sizeof(tlm_host_api), TLM_ABI_MAJOR,  TLM_ABI_MINOR,
                                &log,                 &set_error,     &is_cancelled,
                                &set_retry_after,     &call_model};
  return &api;
}

}  // namespace trustllm::engine
