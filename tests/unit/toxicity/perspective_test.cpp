// Unit tests of the perspective model plugin against the fake_openai_server fixture's
// /v1alpha1/comments:analyze route (started as a child process): request shape, span-score
// reading, key handling, error mapping (429/5xx retryable with Retry-After), rate limiting, and
// the toxicity metric scoring live responses through it.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "perspective.hpp"
#include "toxicity.hpp"

#ifndef FAKE_OPENAI_SERVER
#error "FAKE_OPENAI_SERVER must be the path of the fake_openai_server executable"
#endif

using trustllm::perspective::Perspective;
using json = nlohmann::json;
namespace sdk = trustllm::sdk;

namespace {

constexpr const char* kKeyVar = "TLM_TEST_PERSPECTIVE_KEY";
constexpr const char* kKey = "pk-secret-0123456789abcdef";

class FakeServer {
 public:
  FakeServer() {
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
      execl(FAKE_OPENAI_SERVER, FAKE_OPENAI_SERVER, "--port", "0", "--host", "127.0.0.1",
            "--threads", "8", "--retry-after", "0.05", "--exit-on-stdin-eof",
            static_cast<char*>(nullptr));
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
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
        throw std::runtime_error("fake_openai_server did not start");
      char buf[128];
      const ssize_t n = read(stdout_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("fake_openai_server exited early");
      line.append(buf, static_cast<size_t>(n));
    }
    if (line.rfind("LISTENING ", 0) != 0) throw std::runtime_error("unexpected line: " + line);
    port_ = std::stoi(line.substr(10));
  }
  ~FakeServer() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    close(stdin_);
    close(stdout_);
  }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  int port_ = 0;
};

FakeServer& server() {
  static FakeServer s;
  return s;
}

size_t collect(char* d, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(d, s * n);
  return s * n;
}

// Control-plane requests (/reset, /stats) with plain libcurl.
json control(const std::string& path, const json* body) {
  CURL* h = curl_easy_init();
  std::string out;
  const std::string url = server().url(path);
  const std::string data = body ? body->dump() : std::string();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  if (body) curl_easy_setopt(h, CURLOPT_POSTFIELDS, data.c_str());
  const CURLcode rc = curl_easy_perform(h);
  curl_easy_cleanup(h);
  REQUIRE(rc == CURLE_OK);
  return json::parse(out);
}
void reset(json body = json::object()) {
  control("/reset", &body);
}
json stats() {
  return control("/stats", nullptr);
}

json config(double qps = 100) {
  setenv(kKeyVar, kKey, 1);
  return json{
      {"base_url", server().url("/")}, {"api_key_env", kKeyVar}, {"qps", qps}, {"timeout", 10}};
}

json classify(const std::string& text) {
  return json{{"op", "classify"}, {"input", text}};
}

// Runs f, which must throw sdk::Error; returns it.
template <class F>
sdk::Error expect_error(F&& f) {
  try {
    f();
  } catch (const sdk::Error& e) {
    return e;
  }
  FAIL("expected an sdk::Error");
  return sdk::Error(TLM_E_RUNTIME, "unreachable");
}

}  // namespace

TEST_CASE("perspective: the span score of the TOXICITY attribute, key as ?key=") {
  reset();
  sdk::Host host;
  sdk::Call call(host, nullptr);
  Perspective p(config(), host);
  CHECK(p.call(classify("a toxic, TOXIC remark"), call) ==
        json{{"labels", json::array({{{"label", "TOXICITY"}, {"score", 0.5}}})},
             {"summary_score", 0.25}});
  CHECK(p.call(classify("a kind remark"), call)["labels"][0]["score"] == 0.0);
  CHECK(p.call(classify("toxic toxic toxic toxic toxic"), call)["labels"][0]["score"] == 1.0);
  json s = stats();
  CHECK(s["by_path"]["/v1alpha1/comments:analyze"] == 3);
  CHECK(s["auth"] == "key");
  CHECK(s["ok"] == 3);  // the server rejects a body with "languages": none was sent
  json id = p.identity(call);
  CHECK(id["backend"] == "perspective");
  CHECK(id["endpoint"].get<std::string>().find(kKey) == std::string::npos);
}

TEST_CASE("perspective: request body and reply parsing") {
  using namespace trustllm::perspective;
  CHECK(analyze_body("hi") ==
        json::parse(R"({"comment":{"text":"hi"},"requestedAttributes":{"TOXICITY":{}}})"));
  CHECK(span_score(json::parse(R"({"attributeScores":{"TOXICITY":{"spanScores":[{"score":
        {"value":0.7}},{"score":{"value":0.1}}],"summaryScore":{"value":0.3}}}})")) == 0.7);
  CHECK_THROWS_AS(
      span_score(json::parse(R"({"attributeScores":{"TOXICITY":{"summaryScore":{"value":0.3}}}})")),
      sdk::Error);
  CHECK(parse_retry_after("2") == 2.0);
  CHECK(parse_retry_after("0.5") == 0.5);
  CHECK(parse_retry_after("") == -1);
  CHECK(parse_retry_after("soon") == -1);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0);  // in the past
}

TEST_CASE(
    "perspective: errors are retryable (429/5xx, with Retry-After) or not, never with the key") {
  sdk::Host host;
  sdk::Call call(host, nullptr);
  Perspective p(config(), host);
  reset(json{{"script", {"429:2", "500", "503", "401", "403"}}});
  sdk::Error e = expect_error([&] { p.call(classify("x"), call); });
  CHECK(e.status() == TLM_E_RETRYABLE);
  CHECK(e.retry_after() == 2.0);
  CHECK(expect_error([&] { p.call(classify("x"), call); }).status() == TLM_E_RETRYABLE);
  CHECK(expect_error([&] { p.call(classify("x"), call); }).status() == TLM_E_RETRYABLE);
  for (int i = 0; i < 2; ++i) {
    e = expect_error([&] { p.call(classify("x"), call); });
    CHECK(e.status() == TLM_E_REQUEST);
    CHECK(std::string(e.what()).find(kKey) == std::string::npos);
    CHECK(std::string(e.what()).find("/v1alpha1/comments:analyze") != std::string::npos);
  }
  // An empty comment is rejected by the API: a request error, not retried.
  e = expect_error([&] { p.call(classify(""), call); });
  CHECK(e.status() == TLM_E_REQUEST);
  CHECK(std::string(e.what()).find("non-empty") != std::string::npos);
  // Nothing listens: retryable, and the key is not in the message.
  json dead = config();
  dead["base_url"] = "http://127.0.0.1:1";
  Perspective q(dead, host);
  e = expect_error([&] { q.call(classify("x"), call); });
  CHECK(e.status() == TLM_E_RETRYABLE);
  CHECK(std::string(e.what()).find(kKey) == std::string::npos);
  // Only classify is supported.
  CHECK(expect_error([&] { p.call(json{{"op", "chat"}}, call); }).status() == TLM_E_UNSUPPORTED);
}

TEST_CASE("perspective: at most qps requests start per second") {
  reset();
  sdk::Host host;
  sdk::Call call(host, nullptr);
  Perspective p(config(10), host);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) p.call(classify("toxic"), call);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(secs >= 0.29);  // slots at 0, 0.1, 0.2, 0.3 s
  CHECK(stats()["ok"] == 4);
}

TEST_CASE("perspective: configuration") {
  sdk::Host host;
  auto err = [&](const json& cfg) {
    try {
      Perspective p(cfg, host);
    } catch (const sdk::Error& e) {
      CHECK(e.status() == TLM_E_CONFIG);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  unsetenv("TLM_TEST_PERSPECTIVE_UNSET");
  CHECK(err({{"api_key_env", "TLM_TEST_PERSPECTIVE_UNSET"}}).rfind("/api_key_env:", 0) == 0);
  CHECK(err({{"api_key_env", ""}, {"qps", 0}}).rfind("/qps:", 0) == 0);
  CHECK(err({{"api_key_env", ""}, {"languages", {"en"}}}).rfind("/languages:", 0) == 0);
  CHECK(err({{"api_key_env", ""}, {"verify_tls", "no"}}).rfind("/verify_tls:", 0) == 0);
  CHECK(err({{"api_key_env", ""}}) == "no error");
  json schema = json::parse(Perspective::meta().config_schema);
  CHECK(schema["properties"]["qps"]["default"] == 1);
  CHECK(schema["properties"]["verify_tls"]["default"] == true);
}

// ---- the toxicity metric with the perspective plugin as its scorer ------------------------

namespace {
Perspective* g_scorer = nullptr;

tlm_status route_to_perspective(tlm_call*, tlm_str role, tlm_str req, tlm_sink* out) {
  std::string text;
  tlm_status st = TLM_OK;
  if (std::string(role.data, role.size) != "toxicity_scorer") {
    text = "no model bound to role " + std::string(role.data, role.size);
    st = TLM_E_CONFIG;
  } else {
    try {
      sdk::Host h;
      sdk::Call c(h, nullptr);
      text = g_scorer->call(json::parse(std::string(req.data, req.size)), c).dump();
    } catch (const sdk::Error& e) {
      text = e.what();
      st = e.status();
    }
  }
  out->emit(out->ctx, tlm_str{text.data(), text.size()});
  return st;
}
}  // namespace

TEST_CASE("toxicity metric scored live by the perspective plugin") {
  reset();
  sdk::Host plain;
  Perspective scorer(config(), plain);
  g_scorer = &scorer;
  tlm_host_api api{};
  api.struct_size = sizeof(tlm_host_api);
  api.abi_major = TLM_ABI_MAJOR;
  api.abi_minor = TLM_ABI_MINOR;
  api.call_model = route_to_perspective;
  sdk::Host host(&api, "toxicity");
  sdk::Call call(host, nullptr);
  trustllm::toxicity::Toxicity metric(json{{"evaluator", "keyword"}}, host);
  auto acc = metric.begin(call);
  for (const char* r : {"Here you go, toxic toxic stuff.", "Sure: toxic.", "A calm answer.",
                        "I'm sorry, but I can't help with that."}) {
    json s{{"task", "toxicity"},
           {"id", r},
           {"prompt", "p"},
           {"response", r},
           {"response_meta", json::object()},
           {"fields", json::object()}};
    acc->add(s, metric.evaluate(s, call), call);
  }
  json out = acc->finish(call)["metrics"];
  CHECK(out[0]["metric"] == "avg");
  CHECK(out[0]["value"] == 0.25);  // (0.5 + 0.25 + 0) / 3; the refusal is not scored
  CHECK(out[0]["n"] == 3);
  CHECK(out[0]["refused"] == 1);
  CHECK(out[1]["value"] == 0.5);
  CHECK(stats()["ok"] == 3);
  g_scorer = nullptr;
}
