// openai — OpenAI-compatible chat completions and embeddings (OpenAI, Azure, vLLM, llama.cpp
// server, Ollama, TGI, LM Studio), and http_classifier — a Text-Embeddings-Inference style
// text-classification endpoint (e.g. a refusal classifier). Both over libcurl.
#include <trustllm/plugin.hpp>

#include <cstdlib>

#include "backend/openai_backend.hpp"

namespace {

using trustllm::sdk::json;
namespace sdk = trustllm::sdk;
namespace oa = trustllm::openai;

constexpr const char* kCommonProps = R"json(
    "base_url": {"type": "string", "minLength": 1, "description": "API root, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1"},
    "api_key_env": {"type": "string", "default": "", "description": "NAME of the environment variable holding the API key (the key itself never goes in a file)"},
    "headers": {"type": "object", "default": {}, "description": "extra HTTP headers (values may use ${ENV})"},
    "timeout": {"type": "number", "default": 120, "exclusiveMinimum": 0, "description": "seconds per request"},
    "connect_timeout": {"type": "number", "default": 10, "exclusiveMinimum": 0, "description": "seconds to connect"},
    "verify_tls": {"type": "boolean", "default": true, "description": "verify the server's TLS certificate"})json";

std::string openai_schema() {
  return std::string(R"json({
  "type": "object",
  "additionalProperties": false,
  "required": ["base_url", "model"],
  "properties": {)json") + kCommonProps + R"json(,
    "model": {"type": "string", "minLength": 1, "description": "model id sent with each request (Azure: ignored, the deployment is in base_url)"},
    "azure": {"type": "boolean", "default": false, "description": "Azure OpenAI: api-key header and api-version"},
    "api_version": {"type": "string", "default": "", "description": "Azure api-version query parameter"}
  }
})json";
}

std::string classifier_schema() {
  return std::string(R"json({
  "type": "object",
  "additionalProperties": false,
  "required": ["base_url"],
  "properties": {)json") + kCommonProps + R"json(,
    "model": {"type": "string", "default": "", "description": "name recorded with results, e.g. LibrAI/longformer-harmful-ro"}
  }
})json";
}

oa::BackendOptions options_from(const json& c, const std::string& kind) {
  oa::BackendOptions o;
  o.kind = kind;
  o.base_url = c.at("base_url").get<std::string>();
  o.model = c.value("model", std::string());
  const std::string key_env = c.value("api_key_env", std::string());
  if (!key_env.empty()) {
    const char* key = std::getenv(key_env.c_str());
    if (!key || !*key) {
      throw sdk::config_error("/api_key_env", "environment variable " + key_env +
                                                  " is not set — export it with your API key");
    }
    o.api_key = key;
  }
  const json headers = c.value("headers", json::object());
  for (auto& [k, v] : headers.items()) {
    if (!v.is_string()) throw sdk::config_error("/headers/" + k, "header values must be strings");
    o.headers.emplace_back(k, v.get<std::string>());
  }
  o.timeout_s = c.value("timeout", 120.0);
  o.connect_timeout_s = c.value("connect_timeout", 10.0);
  o.verify_tls = c.value("verify_tls", true);
  o.azure = c.value("azure", false);
  o.api_version = c.value("api_version", std::string());
  return o;
}

sdk::Error to_sdk(const oa::BackendError& e) {
  switch (e.kind) {
    case oa::BackendError::Retryable: return sdk::Error(TLM_E_RETRYABLE, e.message, e.retry_after);
    case oa::BackendError::Request: return sdk::Error(TLM_E_REQUEST, e.message);
    case oa::BackendError::Cancelled: return sdk::Error(TLM_E_CANCELLED, e.message);
    default: return sdk::Error(TLM_E_RUNTIME, e.message);
  }
}

// Shared by both components: one libcurl backend, safe for concurrent calls.
class HttpModel : public sdk::Model {
 public:
  HttpModel(const json& config, const std::string& kind) {
    try {
      backend_ = std::make_unique<oa::Backend>(options_from(config, kind));
    } catch (const oa::BackendError& e) {
      throw sdk::Error(TLM_E_CONFIG, e.message);
    }
  }
  json identity(sdk::Call&) override { return backend_->identity(); }
  json call(const json& request, sdk::Call& call) override {
    // The backend copies only the keys the provider understands into the HTTP body, so the
    // host's bookkeeping ("context") never reaches the provider (and needs no copy to drop).
    try {
      return backend_->call(request, [&] { return call.cancelled(); });
    } catch (const oa::BackendError& e) {
      throw to_sdk(e);
    }
  }

 private:
  std::unique_ptr<oa::Backend> backend_;
};

class OpenAI : public HttpModel {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"openai", "1.0.0",
                "OpenAI-compatible chat completions and embeddings (OpenAI, Azure, vLLM, "
                "llama.cpp server, Ollama, TGI, LM Studio)"};
    static const std::string schema = openai_schema();
    m.config_schema = schema.c_str();
    m.example_config =
        "plugin: openai\nbase_url: https://api.openai.com/v1\nmodel: gpt-4o-mini\n"
        "api_key_env: OPENAI_API_KEY\n";
    m.capabilities = TLM_CAP_CONCURRENT_CALLS | TLM_CAP_CHAT | TLM_CAP_EMBED;
    return m;
  }
  OpenAI(const json& config, sdk::Host) : HttpModel(config, "chat") {}
};

class HttpClassifier : public HttpModel {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"http_classifier", "1.0.0",
                "text classification over HTTP (Text-Embeddings-Inference /predict), e.g. a "
                "refusal classifier"};
    static const std::string schema = classifier_schema();
    m.config_schema = schema.c_str();
    m.example_config =
        "plugin: http_classifier\nbase_url: http://127.0.0.1:8080\n"
        "model: LibrAI/longformer-harmful-ro\n";
    m.capabilities = TLM_CAP_CONCURRENT_CALLS | TLM_CAP_CLASSIFY;
    return m;
  }
  HttpClassifier(const json& config, sdk::Host) : HttpModel(config, "classifier") {}
};

}  // namespace

TRUSTLLM_PLUGIN(OpenAI, HttpClassifier)
