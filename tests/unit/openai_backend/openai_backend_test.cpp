// Tests of trustllm::openai::Backend against the fake_openai_server fixture (a child process).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "openai_backend.hpp"

#ifndef FAKE_OPENAI_SERVER
#error "FAKE_OPENAI_SERVER must be the path of the fake_openai_server executable"
#endif

using json = nlohmann::json;
using trustllm::openai::Backend;
using trustllm::openai::BackendError;
using trustllm::openai::BackendOptions;

namespace {

const std::string kKey = "sk-test-SECRET-0123456789abcdef";

// fake_openai_server as a child process; stdin is a pipe so it exits if we die.
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
            "--threads", "32", "--retry-after", "0.05", "--exit-on-stdin-eof",
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
  int port() const { return port_; }
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

void reset(json body = json::object()) { control("/reset", &body); }
json stats() { return control("/stats", nullptr); }

BackendOptions chat_options() {
  BackendOptions o;
  o.kind = "chat";
  o.base_url = server().url("/v1/");  // trailing slash on purpose
  o.model = "fake-gpt";
  o.api_key = kKey;
  o.timeout_s = 10;
  o.connect_timeout_s = 5;
  return o;
}

json chat_request(const std::string& prompt) {
  return json{{"op", "chat"},
              {"messages", json::array({json{{"role", "user"}, {"content", prompt}}})},
              {"temperature", 0.0},
              {"max_tokens", 64}};
}

// Runs f, which must throw BackendError; returns it.
template <class F>
BackendError expect_error(F&& f) {
  try {
    f();
  } catch (const BackendError& e) {
    return e;
  }
  FAIL("expected a BackendError");
  return BackendError(BackendError::Runtime, "unreachable");
}

void check_clean_message(const BackendError& e) {
  CHECK(e.message.find('\n') == std::string::npos);
  CHECK(e.message.find('\r') == std::string::npos);
  CHECK(e.message.find(kKey) == std::string::npos);
  CHECK(e.message.find("SECRET") == std::string::npos);
  CHECK(std::string(e.what()) == e.message);
}

}  // namespace

TEST_CASE("chat round trip sends the Bearer key and parses the reply") {
  reset();
  Backend b(chat_options());
  const json r = b.call(chat_request("hello there"));
  CHECK(r["text"] == "ECHO: hello there");
  CHECK(r["finish_reason"] == "stop");
  CHECK(r["refused_by_provider"] == false);
  CHECK(r["model"] == "fake-gpt");
  CHECK(r["usage"]["prompt_tokens"] == 2);
  CHECK(r["usage"]["completion_tokens"] == 3);
  const json s = stats();
  CHECK(s["auth"] == "Bearer");
  CHECK(s["ok"] == 1);
  CHECK(s["by_path"]["/v1/chat/completions"] == 1);
  CHECK(s.dump().find("SECRET") == std::string::npos);

  // Keep-alive: many sequential calls on one backend work.
  for (int i = 0; i < 20; ++i) CHECK(b.call(chat_request("n" + std::to_string(i)))["text"] == "ECHO: n" + std::to_string(i));
}

TEST_CASE("chat options: stop, max_tokens -> length, per-request reply override, no key") {
  reset();
  BackendOptions o = chat_options();
  o.api_key.clear();
  o.model.clear();
  Backend b(o);
  json req = chat_request("one two three four five six");
  req["max_tokens"] = 3;
  json r = b.call(req);
  CHECK(r["text"] == "ECHO: one two");
  CHECK(r["finish_reason"] == "length");
  CHECK(r["model"] == "fake-model");  // what the server reports
  CHECK(stats()["auth"] == "none");

  req = chat_request("alpha STOP beta");
  req["stop"] = json::array({"STOP"});
  CHECK(b.call(req)["text"] == "ECHO: alpha ");

  r = b.call(chat_request("say it [[fake:reply=Custom answer]]"));
  CHECK(r["text"] == "Custom answer");
  r = b.call(chat_request("[[fake:refuse]] please"));
  CHECK(r["text"] == "I'm sorry, but I can't help with that.");
  CHECK(r["refused_by_provider"] == false);  // a model refusal is not a provider refusal
}

TEST_CASE("Azure: api-key header, api-version query, deployment URL") {
  reset();
  BackendOptions o = chat_options();
  o.azure = true;
  o.api_version = "2024-02-01";
  o.model.clear();
  o.base_url = server().url("/openai/deployments/my-gpt4");
  Backend b(o);
  const json r = b.call(chat_request("hi"));
  CHECK(r["text"] == "ECHO: hi");
  CHECK(r["model"] == "my-gpt4");
  const json s = stats();
  CHECK(s["auth"] == "api-key");
  CHECK(s["last_api_version"] == "2024-02-01");

  reset(json{{"script", {"400:content_filter"}}});
  const json f = b.call(chat_request("something filtered"));
  CHECK(f["refused_by_provider"] == true);
  CHECK(f["finish_reason"] == "content_filter");
  CHECK(f["text"] == "");
}

TEST_CASE("provider refusals: content_filter finish reason and structured refusal") {
  reset();
  Backend b(chat_options());
  json r = b.call(chat_request("bad stuff [[fake:content_filter]]"));
  CHECK(r["refused_by_provider"] == true);
  CHECK(r["finish_reason"] == "content_filter");
  CHECK(r["text"] == "");
  r = b.call(chat_request("bad stuff [[fake:structured_refusal]]"));
  CHECK(r["refused_by_provider"] == true);
  CHECK(r["text"] == "I'm sorry, but I can't help with that.");
}

TEST_CASE("embeddings: deterministic unit vectors, similar texts are closer") {
  reset();
  Backend b(chat_options());
  auto embed = [&](const std::string& t) {
    const json r = b.call(json{{"op", "embed"}, {"input", t}});
    CHECK(r["model"] == "fake-gpt");
    return r["embedding"].get<std::vector<double>>();
  };
  const auto a = embed("the cat sat on the mat");
  const auto a2 = embed("the cat sat on the mat");
  const auto c = embed("the cat sat on a mat");
  const auto d = embed("quantum chromodynamics lattice");
  REQUIRE(a.size() == 16);
  CHECK(a == a2);
  auto dot = [](const std::vector<double>& x, const std::vector<double>& y) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
    return s;
  };
  CHECK(std::abs(dot(a, a) - 1.0) < 1e-9);
  CHECK(dot(a, c) > dot(a, d));

  const json many = b.call(json{{"op", "embed"}, {"input", {"x y", "z"}}});
  CHECK(many["embeddings"].size() == 2);
  CHECK(many["usage"]["prompt_tokens"] == 3);
}

TEST_CASE("classify against the TEI-style /predict endpoint") {
  reset();
  BackendOptions o;
  o.kind = "classifier";
  o.base_url = server().url();
  o.timeout_s = 10;
  Backend b(o);
  json r = b.call(json{{"op", "classify"}, {"input", "I'm sorry, but I cannot do that."}});
  REQUIRE(r["labels"].size() == 2);
  CHECK(r["labels"][0]["label"] == "LABEL_0");
  CHECK(r["labels"][0]["score"].get<double>() == doctest::Approx(0.9));
  CHECK(r["labels"][0]["score"].get<double>() >= r["labels"][1]["score"].get<double>());
  r = b.call(json{{"op", "classify"}, {"input", "Sure, here is the recipe."}});
  CHECK(r["labels"][0]["label"] == "LABEL_1");
  CHECK(stats()["by_path"]["/predict"] == 2);

  const auto e = expect_error([&] { b.call(chat_request("hi")); });
  CHECK(e.kind == BackendError::Request);
}

TEST_CASE("429 is retryable and Retry-After is parsed") {
  Backend b(chat_options());
  reset(json{{"script", {"429"}}});
  auto e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Retryable);
  CHECK(e.http_status == 429);
  CHECK(e.retry_after == doctest::Approx(0.05));
  CHECK(e.message.find("HTTP 429") != std::string::npos);
  check_clean_message(e);

  reset(json{{"script", {"429:2.5"}}});
  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.retry_after == doctest::Approx(2.5));
  // The script is consumed: the next call succeeds.
  CHECK(b.call(chat_request("x"))["text"] == "ECHO: x");

  // Random faults from the seeded RNG.
  reset(json{{"p429", 1.0}});
  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Retryable);
  reset(json{{"p429", 0.0}});
}

TEST_CASE("500 is retryable") {
  Backend b(chat_options());
  reset(json{{"script", {"500", "503"}}});
  auto e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Retryable);
  CHECK(e.http_status == 500);
  CHECK(e.retry_after == -1);
  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.http_status == 503);
  CHECK(e.kind == BackendError::Retryable);
  check_clean_message(e);
  CHECK(stats()["errors"]["500"] == 1);
}

TEST_CASE("a reply slower than timeout_s is a retryable timeout") {
  BackendOptions o = chat_options();
  o.timeout_s = 0.4;
  Backend b(o);
  reset(json{{"script", {"slow:3"}}});
  const auto t0 = std::chrono::steady_clock::now();
  const auto e = expect_error([&] { b.call(chat_request("x")); });
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(e.kind == BackendError::Retryable);
  CHECK(e.message.find("timed out") != std::string::npos);
  CHECK(took < 2.0);
  check_clean_message(e);
  CHECK(b.call(chat_request("after"))["text"] == "ECHO: after");
}

TEST_CASE("malformed JSON on a 200 is retryable") {
  Backend b(chat_options());
  reset(json{{"script", {"malformed"}}});
  const auto e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Retryable);
  CHECK(e.http_status == 200);
  CHECK(e.message.find("not valid JSON") != std::string::npos);
  check_clean_message(e);
}

TEST_CASE("a dropped connection is retryable") {
  {
    Backend b(chat_options());  // fresh connection: libcurl does not silently re-send
    reset(json{{"script", {"drop:empty"}}});
    const auto e = expect_error([&] { b.call(chat_request("x")); });
    CHECK(e.kind == BackendError::Retryable);
    CHECK(e.message.find("connection dropped") != std::string::npos);
    check_clean_message(e);
    const json s = stats();
    CHECK(s["errors"]["drop"] == 1);
    CHECK(s["script_remaining"] == 0);
    CHECK(s["requests"] == 1);
    CHECK(b.call(chat_request("after"))["text"] == "ECHO: after");
  }
  {
    Backend b(chat_options());
    CHECK(b.call(chat_request("warm up"))["text"] == "ECHO: warm up");
    reset(json{{"script", {"drop", "drop"}}});  // mid-reply: seen even on a reused connection
    for (int i = 0; i < 2; ++i) {
      const auto e = expect_error([&] { b.call(chat_request("x")); });
      CHECK(e.kind == BackendError::Retryable);
      CHECK(e.message.find("connection dropped") != std::string::npos);
    }
    const json s = stats();
    CHECK(s["errors"]["drop"] == 2);
    CHECK(s["requests"] == 2);
    CHECK(b.call(chat_request("after"))["text"] == "ECHO: after");
  }
}

TEST_CASE("connection refused is retryable") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  const int port = ntohs(a.sin_port);
  close(fd);  // bound, never listened: nothing accepts on this port
  BackendOptions o = chat_options();
  o.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  Backend b(o);
  const auto e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Retryable);
  check_clean_message(e);
}

TEST_CASE("400, 401, 404 are request errors with one-line, key-free messages") {
  Backend b(chat_options());
  reset(json{{"script", {"400", "401", "403", "422"}}});
  auto e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Request);
  CHECK(e.http_status == 400);
  CHECK(e.message.find("Bad request (fake server).") != std::string::npos);
  check_clean_message(e);

  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Request);
  CHECK(e.message.find("HTTP 401 from http://127.0.0.1:") != std::string::npos);
  CHECK(e.message.find("/v1/chat/completions") != std::string::npos);
  CHECK(e.message.find("api_key_env") != std::string::npos);
  CHECK(e.message.find("Incorrect API key provided") != std::string::npos);
  // The server quoted "sk-tes****cdef"; that must not be repeated either.
  CHECK(e.message.find("[redacted]") != std::string::npos);
  CHECK(e.message.find("sk-tes") == std::string::npos);
  CHECK(e.message.find("cdef") == std::string::npos);
  check_clean_message(e);

  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Request);
  CHECK(e.http_status == 403);
  e = expect_error([&] { b.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Request);
  CHECK(e.http_status == 422);

  BackendOptions o = chat_options();
  o.base_url = server().url("/nope");
  Backend wrong(o);
  e = expect_error([&] { wrong.call(chat_request("x")); });
  CHECK(e.kind == BackendError::Request);
  CHECK(e.http_status == 404);
  CHECK(e.message.find("base_url") != std::string::npos);
  check_clean_message(e);
}

TEST_CASE("16 threads share one backend; every prompt gets exactly one reply") {
  reset(json{{"latency_ms", 2}});  // make the calls overlap on the server
  Backend b(chat_options());
  constexpr int kThreads = 16, kPerThread = 25;
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string p = "prompt " + std::to_string(t) + "/" + std::to_string(i);
        try {
          if (b.call(chat_request(p))["text"] == "ECHO: " + p)
            ++ok;
          else
            ++bad;
        } catch (const std::exception&) {
          ++bad;
        }
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok == kThreads * kPerThread);
  CHECK(bad == 0);
  const json s = stats();
  CHECK(s["ok"] == kThreads * kPerThread);
  CHECK(s["requests"] == kThreads * kPerThread);
  CHECK(s["ok_by_prompt"].size() == static_cast<size_t>(kThreads * kPerThread));
  for (const auto& [k, v] : s["ok_by_prompt"].items()) CHECK(v == 1);
  CHECK(s["max_in_flight"].get<int>() >= 2);
  reset(json{{"latency_ms", 0}});
}

TEST_CASE("cancellation aborts a slow request") {
  Backend b(chat_options());
  reset(json{{"script", {"slow:5"}}});
  std::atomic<bool> flag{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    flag = true;
  });
  const auto t0 = std::chrono::steady_clock::now();
  const auto e = expect_error([&] { b.call(chat_request("x"), [&] { return flag.load(); }); });
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  canceller.join();
  CHECK(e.kind == BackendError::Cancelled);
  CHECK(took < 1.0);

  // Already cancelled: nothing is sent.
  reset();
  const auto e2 = expect_error([&] { b.call(chat_request("x"), [] { return true; }); });
  CHECK(e2.kind == BackendError::Cancelled);
  CHECK(stats()["requests"] == 0);
  CHECK(b.call(chat_request("y"), [] { return false; })["text"] == "ECHO: y");
}

TEST_CASE("identity and configuration errors") {
  BackendOptions o = chat_options();
  Backend b(o);
  CHECK(b.identity() == json{{"backend", "openai"}, {"model", "fake-gpt"}, {"endpoint", o.base_url}});
  CHECK(b.identity().dump().find(kKey) == std::string::npos);

  o.kind = "banana";
  CHECK(expect_error([&] { Backend x(o); }).kind == BackendError::Request);
  o = chat_options();
  o.base_url = "";
  CHECK(expect_error([&] { Backend x(o); }).kind == BackendError::Request);
  o.base_url = "ftp://127.0.0.1/v1";
  CHECK(expect_error([&] { Backend x(o); }).kind == BackendError::Request);

  CHECK(expect_error([&] { b.call(json{{"op", "dance"}}); }).kind == BackendError::Request);
  CHECK(expect_error([&] { b.call(json{{"op", "chat"}}); }).kind == BackendError::Request);
  CHECK(expect_error([&] { b.call(json{{"op", "classify"}, {"input", "x"}}); }).kind ==
        BackendError::Request);
}

TEST_CASE("Retry-After parsing") {
  using trustllm::openai::detail::parse_retry_after;
  CHECK(parse_retry_after("2", "", 0) == doctest::Approx(2.0));
  CHECK(parse_retry_after("0.25", "", 0) == doctest::Approx(0.25));
  CHECK(parse_retry_after("20", "1500", 0) == doctest::Approx(1.5));  // ms header wins
  CHECK(parse_retry_after("", "", 0) == -1);
  CHECK(parse_retry_after("soon", "", 0) == -1);
  CHECK(parse_retry_after("-3", "", 0) == -1);
  // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", "", 784111777 - 30) ==
        doctest::Approx(30.0));
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", "", 784111777 + 30) == 0.0);
}

TEST_CASE("URL joining") {
  using trustllm::openai::detail::join_url;
  CHECK(join_url("http://h/v1", "chat/completions", "") == "http://h/v1/chat/completions");
  CHECK(join_url("http://h/v1/", "chat/completions", "") == "http://h/v1/chat/completions");
  CHECK(join_url("https://r.openai.azure.com/openai/deployments/d", "chat/completions",
                 "2024-02-01") ==
        "https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-02-01");
  CHECK(join_url("http://h/v1?x=1", "embeddings", "v") == "http://h/v1/embeddings?x=1&api-version=v");
}
