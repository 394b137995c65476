// The tlm_host_api table the host hands to every plugin: logging, per-call errors,
// cancellation, Retry-After hints, and calls to the models bound to roles.
#pragma once

#include <trustllm/abi.h>
#include <trustllm/host.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace trustllm::engine {

// What a plugin's call_model(role, request) reaches. Set as tlm_call::host_context.
struct HostContext {
  // Returns the response JSON or throws host::CallError.
  std::function<std::string(std::string_view role, std::string_view request_json,
                            const host::CallOptions& options)>
      call_model;
};

// The process-wide table (static storage, thread-safe callbacks).
const tlm_host_api* host_api();

}  // namespace trustllm::engine
