// HTTP side of the OpenAI-compatible model backend (chat / embeddings) and of the
// Hugging Face Text-Embeddings-Inference classifier backend (/predict).
//
// The backend speaks our own request/response format (nlohmann::json):
//
//   chat:     {"op":"chat","messages":[{"role":"user","content":"..."}],
//              "temperature":0.0,"max_tokens":512,"top_p":1.0,"seed":1234,"stop":["..."]}
//          -> {"text":"...","finish_reason":"stop","refused_by_provider":false,
//              "model":"<model the server reports>",
//              "usage":{"prompt_tokens":n,"completion_tokens":m}}
//   embed:    {"op":"embed","input":"text"}
//          -> {"embedding":[...],"model":"...","usage":{...}}
//             (an array "input" gives "embeddings":[[...],...] plus "embedding" = the first)
//   classify: {"op":"classify","input":"text"}
//          -> {"labels":[{"label":"LABEL_0","score":0.98},...]}   (score descending)
//
// Every call makes exactly one HTTP attempt; retrying (with backoff) is the caller's job,
// guided by BackendError::kind and BackendError::retry_after.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trustllm::openai {

struct BackendOptions {
  // "chat" (OpenAI-compatible: /chat/completions, /embeddings) or "classifier" (TEI: /predict).
  // Empty means "chat".
  std::string kind = "chat";
  // e.g. https://api.openai.com/v1, http://127.0.0.1:8000/v1, http://localhost:11434/v1,
  // or for Azure https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT.
  // A trailing '/' is optional.
  std::string base_url;
  std::string model;    // sent as "model" when non-empty
  std::string api_key;  // resolved secret; never logged, never put in an error message
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  double timeout_s = 120;         // whole request
  double connect_timeout_s = 10;  // TCP + TLS connect
  bool verify_tls = true;
  std::string api_version;  // non-empty: appends ?api-version=... (Azure)
  bool azure = false;       // "api-key: KEY" header instead of "Authorization: Bearer KEY"
};

class BackendError : public std::runtime_error {
 public:
  enum Kind {
    Retryable,  // 408, 429, 5xx, connect failures, timeouts, dropped connections, bad JSON on 200
    Request,    // 400, 401, 403, 404, 422, ...: retrying will not help; message says what to do
    Runtime,    // anything else that is not the request's fault nor transient
    Cancelled,  // the caller's cancelled() returned true
  };

  BackendError(Kind k, std::string msg, double retry_after_s = -1, int status = 0)
      : std::runtime_error(msg), kind(k), message(std::move(msg)), retry_after(retry_after_s),
        http_status(status) {}

  Kind kind;
  std::string message;      // one line
  double retry_after = -1;  // seconds the server asked us to wait, -1 if it did not say
  int http_status = 0;      // HTTP status if a response was received, else 0
};

const char* to_string(BackendError::Kind kind);

class Backend {
 public:
  // Throws BackendError(Request) for an unusable configuration (empty base_url, unknown kind).
  explicit Backend(BackendOptions options);
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Thread-safe: many threads may call at once. Connections are kept alive and reused.
  // `cancelled` is polled during the transfer (every ~25 ms); when it returns true the
  // transfer is aborted and BackendError(Cancelled) is thrown.
  nlohmann::json call(const nlohmann::json& request,
                      const std::function<bool()>& cancelled = {});

  // {"backend":"openai","model":...,"endpoint":base_url}
  nlohmann::json identity() const;

  const BackendOptions& options() const { return opts_; }

 private:
  struct Impl;
  BackendOptions opts_;
  std::unique_ptr<Impl> impl_;
};

namespace detail {
// Seconds to wait from the Retry-After header (delta-seconds, possibly fractional, or an
// HTTP date, relative to `now`) and retry-after-ms header (milliseconds, preferred when
// valid). Returns -1 when neither gives a usable value.
double parse_retry_after(std::string_view retry_after, std::string_view retry_after_ms,
                         std::time_t now);

// `{base}{path}` with exactly one '/' between them and `?api-version=` appended when given;
// a query string already in `base` is kept at the end.
std::string join_url(std::string_view base, std::string_view path, std::string_view api_version);
}  // namespace detail

}  // namespace trustllm::openai
