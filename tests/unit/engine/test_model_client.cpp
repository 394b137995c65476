// ModelClient + InstancePool against the real model plugins (build/bin/plugins): the response
// cache, cache keys, identities, concurrency of a MULTI_INSTANCE plugin, retries with backoff.
#include <trustllm/engine/model_client.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

using namespace enginetest;
using trustllm::engine::ModelClient;
using trustllm::engine::RetryPolicy;
using trustllm::host::CallError;

namespace {

json openai_config(const FakeServer& s) {
  return json{{"base_url", s.url("/v1")}, {"model", "fake-model"}, {"timeout", 10}};
}

RetryPolicy tiny_retry(int max_attempts) {
  RetryPolicy r;
  r.max_attempts = max_attempts;
  r.base_delay = 0.001;
  r.max_delay = 0.005;
  return r;
}

uint64_t server_requests(const FakeServer& s) { return s.stats().at("requests").get<uint64_t>(); }

// A script file for fake_openai_server (a JSON array of actions).
fs::path script(const TempDir& dir, const json& actions) {
  return dir.write("script.json", actions.dump());
}

json with_context(json request, const json& context) {
  request["context"] = context;
  return request;
}

}  // namespace

TEST_CASE("ModelClient: a second identical request is a cache hit and makes no call") {
  FakeServer server;
  MemoryCache cache;
  ModelClient client(binding("openai", openai_config(server)), model_component("openai"), 2,
                     &cache, nullptr);
  CHECK(client.role() == "model");
  CHECK(client.identity().at("backend") == "openai");
  CHECK(client.identity().at("model") == "fake-model");

  const json req = chat("say hello world");
  auto r1 = client.call(req);
  CHECK_FALSE(r1.cached);
  CHECK(r1.attempts == 1);
  const json j1 = json::parse(r1.response_json);
  CHECK(j1.at("text") == "ECHO: say hello world");
  CHECK(cache.puts == 1);
  CHECK(server_requests(server) == 1);

  auto r2 = client.call(req);
  CHECK(r2.cached);
  CHECK(r2.attempts == 0);
  CHECK(r2.response_json == r1.response_json);
  CHECK(server_requests(server) == 1);  // no second request reached the server
  CHECK(client.stats().calls.load() == 1);
  CHECK(client.stats().cache_hits.load() == 1);
  CHECK(cache.puts == 1);
  // Tokens are counted for the call that was made, not for the hit.
  CHECK(client.stats().prompt_tokens.load() == j1.at("usage").at("prompt_tokens").get<uint64_t>());
  CHECK(client.stats().prompt_tokens.load() == 3);

  // The stored inputs are what cache_inputs() says identifies the response.
  REQUIRE(cache.entries.size() == 1);
  CHECK(json::parse(cache.entries.begin()->second.first) == client.cache_inputs(req));
  CHECK(cache.entries.begin()->second.second == r1.response_json);

  // A different request is a miss and goes to the server.
  auto r3 = client.call(chat("something else"));
  CHECK_FALSE(r3.cached);
  CHECK(json::parse(r3.response_json).at("text") == "ECHO: something else");
  CHECK(server_requests(server) == 2);
  CHECK(cache.entries.size() == 2);
  // So is the same message with another generation setting.
  auto r4 = client.call(chat("say hello world", 3));
  CHECK_FALSE(r4.cached);
  CHECK(server_requests(server) == 3);

  // Without a cache every call is made.
  ModelClient uncached(binding("openai", openai_config(server)), model_component("openai"), 1,
                       nullptr, nullptr);
  CHECK_FALSE(uncached.call(req).cached);
  CHECK_FALSE(uncached.call(req).cached);
  CHECK(server_requests(server) == 5);
}

TEST_CASE("ModelClient: the request's context is not part of the cache key") {
  FakeServer server;
  MemoryCache cache;
  ModelClient client(binding("openai", openai_config(server)), model_component("openai"), 1,
                     &cache, nullptr);
  const json plain = chat("what is 2+2");
  const json ctx_a =
      with_context(plain, {{"source", {{"file", "safety/a.json"}, {"index", 0}}}, {"task", "a"}});
  const json ctx_b =
      with_context(plain, {{"source", {{"file", "safety/b.json"}, {"index", 7}}}, {"task", "b"}});

  const json inputs = client.cache_inputs(ctx_a);
  CHECK_FALSE(inputs.at("request").contains("context"));
  CHECK(inputs.at("request") == plain);
  CHECK(inputs.at("identity") == client.identity());
  CHECK(client.cache_inputs(ctx_a) == client.cache_inputs(ctx_b));
  CHECK(client.cache_inputs(ctx_a) == client.cache_inputs(plain));
  // Everything else is part of the key.
  CHECK(client.cache_inputs(chat("what is 2+2", 5)) != client.cache_inputs(plain));

  auto r1 = client.call(ctx_a);
  CHECK_FALSE(r1.cached);
  auto r2 = client.call(ctx_b);
  CHECK(r2.cached);
  auto r3 = client.call(plain);
  CHECK(r3.cached);
  CHECK(server_requests(server) == 1);
  CHECK(cache.puts == 1);
}

TEST_CASE("ModelClient: identity of llama2c") {
  const fs::path dir = stories_dir();
  if (dir.empty()) {
    MESSAGE("stories260K model not found (set TRUSTLLM_MODEL_DIR): llama2c identity skipped");
    return;
  }
  MemoryCache cache;
  ModelClient client(binding("llama2c", llama2c_config(dir)), model_component("llama2c"), 1,
                     &cache, nullptr);
  const json id = client.identity();
  CHECK(id.at("backend") == "llama2c");
  CHECK(id.at("model") == "stories260K");
  CHECK(id.contains("endpoint"));
  CHECK(client.cache_inputs(chat("x")).at("identity") == id);

  json cfg = llama2c_config(dir);
  cfg["model_name"] = "tiny-stories";
  ModelClient named(binding("llama2c", cfg), model_component("llama2c"), 1, &cache, nullptr);
  CHECK(named.identity().at("model") == "tiny-stories");
  // Another identity, another cache key for the same request.
  CHECK(named.cache_inputs(chat("x")) != client.cache_inputs(chat("x")));

  // llama2c is cacheable: the second identical request is a hit.
  auto r1 = client.call(chat("Once upon a time", 8));
  auto r2 = client.call(chat("Once upon a time", 8));
  CHECK_FALSE(r1.cached);
  CHECK(r2.cached);
  CHECK(r2.response_json == r1.response_json);
  CHECK(client.stats().calls.load() == 1);
}

TEST_CASE("ModelClient: a model that says cacheable:false (replay) is never cached") {
  TempDir dir;
  dir.write("tree/safety/jailbreak.json",
            R"([{"prompt":"p0","res":"answer zero"},{"prompt":"p1","res":"answer one"}])");
  MemoryCache cache;
  ModelClient client(binding("replay", {{"dir", (dir.path() / "tree").string()}}),
                     model_component("replay"), 4, &cache, nullptr);
  CHECK(client.identity().at("backend") == "replay");
  CHECK(client.identity().at("cacheable") == false);
  // "cacheable" is a flag, not part of what identifies a response.
  CHECK_FALSE(client.cache_inputs(chat("x")).at("identity").contains("cacheable"));

  // The context reaches the plugin (replay answers from context.source).
  const json req =
      with_context(chat("p1"), {{"source", {{"file", "safety/jailbreak.json"}, {"index", 1}}}});
  for (int i = 0; i < 3; ++i) {
    auto r = client.call(req);
    CHECK_FALSE(r.cached);
    CHECK(r.attempts == 1);
    CHECK(json::parse(r.response_json).at("text") == "answer one");
  }
  CHECK(cache.gets == 0);
  CHECK(cache.puts == 0);
  CHECK(client.stats().calls.load() == 3);
  CHECK(client.stats().cache_hits.load() == 0);
}

TEST_CASE("ModelClient: errors of a plugin that are not retryable fail at once") {
  TempDir dir;
  dir.write("tree/x.json", R"([{"res":"a"}])");
  ModelClient client(binding("replay", {{"dir", (dir.path() / "tree").string()}}),
                     model_component("replay"), 1, nullptr, nullptr);
  // Index out of range: TLM_E_INPUT, one attempt, named after the role.
  try {
    client.call(with_context(chat("q"), {{"source", {{"file", "x.json"}, {"index", 5}}}}));
    FAIL("expected a CallError");
  } catch (const CallError& e) {
    CHECK(e.status() == TLM_E_INPUT);
    CHECK(std::string(e.what()).find("role 'model'") != std::string::npos);
    CHECK(std::string(e.what()).find("out of range") != std::string::npos);
  }
  CHECK(client.stats().calls.load() == 1);
  CHECK(client.stats().retries.load() == 0);
  CHECK(client.stats().failures.load() == 1);
}

TEST_CASE("ModelClient: a configuration error surfaces when the client is made") {
  TempDir dir;
  try {
    ModelClient client(binding("replay", {{"dir", (dir.path() / "missing").string()}}),
                       model_component("replay"), 1, nullptr, nullptr);
    FAIL("expected a CallError");
  } catch (const CallError& e) {
    CHECK(e.status() == TLM_E_NOT_FOUND);
    CHECK(std::string(e.what()).find("missing") != std::string::npos);
  }
}

TEST_CASE("ModelClient: a set cancel flag stops a call before it is made") {
  TempDir dir;
  dir.write("tree/x.json", R"([{"res":"a"}])");
  std::atomic<bool> cancel{true};
  ModelClient client(binding("replay", {{"dir", (dir.path() / "tree").string()}}),
                     model_component("replay"), 1, nullptr, &cancel);
  try {
    client.call(with_context(chat("q"), {{"source", {{"file", "x.json"}, {"index", 0}}}}));
    FAIL("expected a CallError");
  } catch (const CallError& e) {
    CHECK(e.status() == TLM_E_CANCELLED);
  }
  CHECK(client.stats().calls.load() == 0);
  cancel = false;
  auto r = client.call(with_context(chat("q"), {{"source", {{"file", "x.json"}, {"index", 0}}}}));
  CHECK(json::parse(r.response_json).at("text") == "a");
}

TEST_CASE("ModelClient: concurrency follows the plugin's capabilities and the caps") {
  TempDir dir;
  fs::create_directories(dir.path() / "tree");
  // replay: CONCURRENT_CALLS -> jobs, bounded by the binding's max_concurrency.
  auto b = binding("replay", {{"dir", (dir.path() / "tree").string()}});
  CHECK(ModelClient(b, model_component("replay"), 8, nullptr, nullptr).concurrency() == 8);
  CHECK(ModelClient(b, model_component("replay"), 0, nullptr, nullptr).concurrency() == 1);
  b.max_concurrency = 3;
  CHECK(ModelClient(b, model_component("replay"), 8, nullptr, nullptr).concurrency() == 3);
  CHECK(ModelClient(b, model_component("replay"), 2, nullptr, nullptr).concurrency() == 2);
}

TEST_CASE("ModelClient: llama2c (MULTI_INSTANCE) from 4 threads gives the sequential answers") {
  const fs::path dir = stories_dir();
  if (dir.empty()) {
    MESSAGE("stories260K model not found (set TRUSTLLM_MODEL_DIR): llama2c concurrency skipped");
    return;
  }
  const auto component = model_component("llama2c");
  REQUIRE((component.desc->capabilities & TLM_CAP_MULTI_INSTANCE) != 0);
  const std::vector<std::string> prompts = {
      "Once upon a time", "The little dog",  "Lily went to the park", "Tom had a big red ball",
      "One day, a bird", "The sun was hot", "A girl named Sue",      "The cat sat on the mat"};

  // Sequential reference (greedy decoding is deterministic).
  ModelClient sequential(binding("llama2c", llama2c_config(dir)), component, 1, nullptr, nullptr);
  CHECK(sequential.concurrency() == 1);
  std::vector<std::string> expected;
  for (const auto& p : prompts) {
    expected.push_back(json::parse(sequential.call(chat(p, 24)).response_json).at("text"));
  }
  // The comparison below means something only if the answers differ between prompts.
  CHECK(std::set<std::string>(expected.begin(), expected.end()).size() > 1);
  for (const auto& t : expected) CHECK_FALSE(t.empty());

  ModelClient parallel(binding("llama2c", llama2c_config(dir)), component, 4, nullptr, nullptr);
  CHECK(parallel.concurrency() == 4);
  const size_t rounds = 3;
  std::vector<std::string> got(prompts.size() * rounds);
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (size_t k = t; k < got.size(); k += 4) {
          got[k] = json::parse(parallel.call(chat(prompts[k % prompts.size()], 24)).response_json)
                       .at("text");
        }
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < 4; ++t) {
    CAPTURE(t);
    CHECK(errors[t] == "");
  }
  for (size_t k = 0; k < got.size(); ++k) {
    CAPTURE(k);
    CHECK(got[k] == expected[k % prompts.size()]);
  }
  CHECK(parallel.stats().calls.load() == got.size());
  CHECK(parallel.stats().failures.load() == 0);
}

TEST_CASE("ModelClient: retries 429 and 500, then succeeds") {
  TempDir dir;
  FakeServer server(script(dir, {"429", "500", "ok"}).string());
  MemoryCache cache;
  auto b = binding("openai", openai_config(server));
  b.retry = tiny_retry(5);
  ModelClient client(b, model_component("openai"), 1, &cache, nullptr);

  auto r = client.call(chat("retry me"));
  CHECK(r.attempts == 3);
  CHECK_FALSE(r.cached);
  CHECK(json::parse(r.response_json).at("text") == "ECHO: retry me");
  CHECK(client.stats().calls.load() == 3);
  CHECK(client.stats().retries.load() == 2);
  CHECK(client.stats().failures.load() == 0);
  // Only the answer is cached.
  CHECK(cache.puts == 1);
  const json st = server.stats();
  CHECK(st.at("requests") == 3);
  CHECK(st.at("ok") == 1);
  CHECK(st.at("errors").value("429", 0) == 1);
  CHECK(st.at("errors").value("500", 0) == 1);
}

TEST_CASE("ModelClient: 401 fails fast with TLM_E_REQUEST") {
  TempDir dir;
  FakeServer server(script(dir, {"401", "ok"}).string());
  auto b = binding("openai", openai_config(server));
  b.retry = tiny_retry(6);
  ModelClient client(b, model_component("openai"), 1, nullptr, nullptr);
  try {
    client.call(chat("unauthorised"));
    FAIL("expected a CallError");
  } catch (const CallError& e) {
    CHECK(e.status() == TLM_E_REQUEST);
    CHECK(std::string(e.what()).find("401") != std::string::npos);
    CHECK(std::string(e.what()).find("role 'model'") != std::string::npos);
  }
  CHECK(client.stats().calls.load() == 1);
  CHECK(client.stats().retries.load() == 0);
  CHECK(client.stats().failures.load() == 1);
  const json st = server.stats();
  CHECK(st.at("requests") == 1);
  CHECK(st.at("script_remaining") == 1);  // the "ok" was never asked for
}

TEST_CASE("ModelClient: gives up after max_attempts transient failures") {
  TempDir dir;
  FakeServer server(script(dir, {"500", "503", "500", "ok"}).string());
  auto b = binding("openai", openai_config(server));
  b.retry = tiny_retry(3);
  ModelClient client(b, model_component("openai"), 1, nullptr, nullptr);
  try {
    client.call(chat("never"));
    FAIL("expected a CallError");
  } catch (const CallError& e) {
    CHECK(e.status() == TLM_E_RETRYABLE);
    CHECK(std::string(e.what()).find("gave up after 3 attempts") != std::string::npos);
  }
  CHECK(client.stats().calls.load() == 3);
  CHECK(client.stats().retries.load() == 2);
  CHECK(client.stats().failures.load() == 1);
  CHECK(server.stats().at("requests") == 3);
}

TEST_CASE("ModelClient: waits at least the server's Retry-After") {
  TempDir dir;
  FakeServer server(script(dir, {"429:0.3", "ok"}).string());
  auto b = binding("openai", openai_config(server));
  b.retry = tiny_retry(3);
  b.retry.max_delay = 0.1;  // Retry-After is honoured up to 4 * max_delay = 0.4 s
  ModelClient client(b, model_component("openai"), 1, nullptr, nullptr);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.call(chat("patience"));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.attempts == 2);
  CHECK(elapsed >= 0.29);
  CHECK(elapsed < 5.0);
}
