// did_you_mean and secret redaction.
#include "helpers.hpp"

using namespace cfgtest;

TEST_CASE("edit distance and did_you_mean") {
  CHECK(config::edit_distance("kitten", "sitting") == 3);
  CHECK(config::edit_distance("", "abc") == 3);
  CHECK(config::edit_distance("same", "same") == 0);

  const std::vector<std::string> keys = {"evaluator", "model", "temperature", "top_p", "max_tokens"};
  CHECK(config::did_you_mean("evaluater", keys) == "evaluator");
  CHECK(config::did_you_mean("modle", keys) == "model");
  CHECK(config::did_you_mean("Model", keys) == "model");
  CHECK(config::did_you_mean("temp", keys) == "temperature");      // prefix
  CHECK(config::did_you_mean("max_tokens_limit", keys) == "max_tokens");  // prefix the other way
  CHECK(config::did_you_mean("top_k", keys) == "top_p");
  CHECK(config::did_you_mean("xyz", keys) == "");
  CHECK(config::did_you_mean("qqqqqqq", keys) == "");
  CHECK(config::did_you_mean("a", {"b"}) == "");
  CHECK(config::did_you_mean("", keys) == "");
  CHECK(config::did_you_mean("anything", {}) == "");
  CHECK(config::did_you_mean("trustllm.jailbrek",
                             {"trustllm.jailbreak", "trustllm.misuse", "openai"}) ==
        "trustllm.jailbreak");
}

TEST_CASE("secret key names") {
  for (const char* k : {"api_key", "API_KEY", "openai-api-key", "apikey", "x-api-key", "token",
                        "hf_token", "access_token", "client_secret", "password", "db_password",
                        "Authorization", "token_file"}) {
    CAPTURE(k);
    CHECK(config::is_secret_key(k));
  }
  for (const char* k : {"api_key_env", "token_env", "max_tokens", "tokenizer", "model", "url",
                        "key", "temperature", "stop_tokens"}) {
    CAPTURE(k);
    CHECK_FALSE(config::is_secret_key(k));
  }
}

TEST_CASE("redact_secrets replaces interpolated values and secret keys") {
  TempDir dir;
  auto p = dir.write("model.yaml",
                     "plugin: openai\n"
                     "api_key: sk-123\n"
                     "api_key_env: OPENAI_API_KEY\n"
                     "max_tokens: 100\n"
                     "tokenizer: gpt2\n"
                     "headers:\n"
                     "  Authorization: Bearer abc\n"
                     "password: null\n"
                     "use_token: true\n"
                     "url: ${URL}\n"
                     "nested:\n"
                     "  hf_token: abc\n"
                     "  list: [1, \"${N}\"]\n"
                     "  secrets: {a: 1}\n");
  config::Document d = config::load_file(p, env({{"URL", "http://internal:8080"}, {"N", "7"}}));
  const json r = config::redact_secrets(d.value, d);
  CHECK(r == json::parse(R"({
    "plugin": "openai",
    "api_key": "***",
    "api_key_env": "OPENAI_API_KEY",
    "max_tokens": 100,
    "tokenizer": "gpt2",
    "headers": {"Authorization": "***"},
    "password": null,
    "use_token": true,
    "url": "***",
    "nested": {"hf_token": "***", "list": [1, "***"], "secrets": "***"}})"));
  // The input is not modified.
  CHECK(d.value["api_key"] == "sk-123");

  // A subtree with its base pointer.
  const json sub = config::redact_secrets(d.value["nested"], d, "/nested");
  CHECK(sub == json::parse(R"({"hf_token": "***", "list": [1, "***"], "secrets": "***"})"));
  CHECK(config::redact_secrets(d.value["url"], d, "/url") == "***");
  CHECK(config::redact_secrets(d.value["api_key"], d, "/api_key") == "***");
}

TEST_CASE("redaction survives includes") {
  TempDir dir;
  dir.write("base.yaml", "model:\n  key_from_env: ${SECRET}\n");
  auto p = dir.write("suite.yaml", "include: base.yaml\nmodel:\n  name: m\n");
  config::Document d = config::load_file(p, env({{"SECRET", "hunter2"}}));
  CHECK(d.value["model"]["key_from_env"] == "hunter2");
  CHECK(config::redact_secrets(d.value, d)["model"] ==
        json::parse(R"({"key_from_env": "***", "name": "m"})"));
}
