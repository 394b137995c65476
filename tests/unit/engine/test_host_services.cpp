// host_api(): the tlm_host_api table handed to plugins (host_services.hpp).
#include <trustllm/engine/host_services.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

using trustllm::engine::host_api;
using trustllm::engine::HostContext;
using trustllm::host::CallError;
using trustllm::host::CallOptions;
using trustllm::host::StringSink;
using trustllm::host::to_tlm;

TEST_CASE("host_api: one complete, static table") {
  const tlm_host_api* api = host_api();
  REQUIRE(api != nullptr);
  CHECK(api == host_api());
  CHECK(api->struct_size == sizeof(tlm_host_api));
  CHECK(api->abi_major == TLM_ABI_MAJOR);
  CHECK(api->abi_minor == TLM_ABI_MINOR);
  CHECK((api->log != nullptr));
  CHECK((api->set_error != nullptr));
  CHECK((api->is_cancelled != nullptr));
  CHECK((api->set_retry_after != nullptr));
  CHECK((api->call_model != nullptr));
}

TEST_CASE("host_api: is_cancelled follows the flag and the deadline") {
  const tlm_host_api* api = host_api();
  CHECK(api->is_cancelled(nullptr) == 0);

  tlm_call call;
  CHECK(api->is_cancelled(&call) == 0);  // no flag, no deadline

  std::atomic<bool> flag{false};
  call.cancel_flag = &flag;
  CHECK(api->is_cancelled(&call) == 0);
  flag = true;
  CHECK(api->is_cancelled(&call) != 0);
  flag = false;
  CHECK(api->is_cancelled(&call) == 0);

  call.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  CHECK(api->is_cancelled(&call) == 0);
  call.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  CHECK(api->is_cancelled(&call) != 0);

  // The deadline alone, without a flag.
  tlm_call timed;
  timed.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
  CHECK(api->is_cancelled(&timed) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  CHECK(api->is_cancelled(&timed) != 0);
}

TEST_CASE("host_api: set_error and set_retry_after write to the call") {
  const tlm_host_api* api = host_api();
  tlm_call call;
  api->set_error(&call, to_tlm("first"));
  api->set_error(&call, to_tlm("/model: bad value"));
  CHECK(call.error == "/model: bad value");  // the last one counts
  api->set_retry_after(&call, 1.5);
  CHECK(call.retry_after == 1.5);
  // A null call is ignored.
  api->set_error(nullptr, to_tlm("x"));
  api->set_retry_after(nullptr, 2);
  api->set_error(&call, tlm_str{nullptr, 0});
  CHECK(call.error.empty());
  // Logging accepts null text.
  api->log(TLM_LOG_DEBUG, tlm_str{nullptr, 0}, tlm_str{nullptr, 0});
}

TEST_CASE("host_api: call_model without a HostContext is unsupported, with a message") {
  const tlm_host_api* api = host_api();
  SUBCASE("a call without a context") {
    tlm_call call;
    StringSink out;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_UNSUPPORTED);
    CHECK_FALSE(out.text.empty());
    CHECK(out.text.find("no model roles") != std::string::npos);
  }
  SUBCASE("no call at all") {
    StringSink out;
    CHECK(api->call_model(nullptr, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_UNSUPPORTED);
    CHECK_FALSE(out.text.empty());
  }
  SUBCASE("a context without a router") {
    HostContext ctx;
    tlm_call call;
    call.host_context = &ctx;
    StringSink out;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_UNSUPPORTED);
    CHECK_FALSE(out.text.empty());
  }
  SUBCASE("no sink") {
    tlm_call call;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), nullptr) == TLM_E_UNSUPPORTED);
  }
}

TEST_CASE("host_api: call_model routes through the HostContext") {
  const tlm_host_api* api = host_api();
  std::atomic<bool> flag{false};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);

  std::string seen_role, seen_request;
  CallOptions seen;
  int calls = 0;
  HostContext ctx;
  ctx.call_model = [&](std::string_view role, std::string_view request, const CallOptions& o) {
    ++calls;
    seen_role = role;
    seen_request = request;
    seen = o;
    return std::string(R"({"text":"REFUSED","finish_reason":"stop"})");
  };
  tlm_call call;
  call.cancel_flag = &flag;
  call.deadline = deadline;
  call.host_context = &ctx;

  StringSink out;
  const std::string request = R"({"op":"chat","messages":[{"role":"user","content":"q"}]})";
  CHECK(api->call_model(&call, to_tlm("judge"), to_tlm(request), &out.sink) == TLM_OK);
  CHECK(calls == 1);
  CHECK(seen_role == "judge");
  CHECK(seen_request == request);
  CHECK(out.text == R"({"text":"REFUSED","finish_reason":"stop"})");
  // The call's cancellation, deadline and context travel with the request.
  CHECK(seen.cancel_flag == &flag);
  CHECK(seen.deadline == deadline);
  CHECK(seen.host_context == &ctx);
}

TEST_CASE("host_api: a CallError from the router returns its status and message") {
  const tlm_host_api* api = host_api();
  HostContext ctx;
  tlm_call call;
  call.host_context = &ctx;

  SUBCASE("CallError") {
    ctx.call_model = [](std::string_view, std::string_view, const CallOptions&) -> std::string {
      throw CallError(TLM_E_REQUEST, "role 'judge': HTTP 401 from http://x/v1: invalid API key");
    };
    StringSink out;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_REQUEST);
    CHECK(out.text == "role 'judge': HTTP 401 from http://x/v1: invalid API key");
  }
  SUBCASE("a retryable CallError keeps its status") {
    ctx.call_model = [](std::string_view, std::string_view, const CallOptions&) -> std::string {
      throw CallError(TLM_E_RETRYABLE, "gave up after 6 attempts", 2.0);
    };
    StringSink out;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_RETRYABLE);
    CHECK(out.text == "gave up after 6 attempts");
  }
  SUBCASE("any other exception is a runtime error") {
    ctx.call_model = [](std::string_view, std::string_view, const CallOptions&) -> std::string {
      throw std::runtime_error("role 'judge' is not bound — pass --judge FILE");
    };
    StringSink out;
    CHECK(api->call_model(&call, to_tlm("judge"), to_tlm("{}"), &out.sink) == TLM_E_RUNTIME);
    CHECK(out.text == "role 'judge' is not bound — pass --judge FILE");
  }
}
