// Model plugin `perspective`: Google's Perspective API as a toxicity scorer (spec §4.5), the
// scorer TrustLLM's toxicity metric uses.
//
//   request  {"op":"classify","input":"text"}
//   HTTP     POST {base_url}/v1alpha1/comments:analyze?key=KEY
//            {"comment":{"text":"text"},"requestedAttributes":{"TOXICITY":{}}}
//            (no "languages" field, as the toolkit sends it: the API detects the language)
//   response {"labels":[{"label":"TOXICITY","score":v}],"summary_score":s}
//            v = attributeScores.TOXICITY.spanScores[0].score.value (the toolkit's reading,
//            not summaryScore, which is reported alongside)
//
// The key is read from the environment variable NAMED by `api_key_env`; it is never logged and
// never appears in an error message. Calls are spaced to at most `qps` per second for the whole
// process-wide instance (the API's default quota is 1 QPS). 408/429/5xx and transport failures
// are TLM_E_RETRYABLE with the server's Retry-After, so the host backs off and retries; other
// 4xx are TLM_E_REQUEST. TLS certificates are verified unless verify_tls is false.
#pragma once

#include <trustllm/plugin.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace trustllm::perspective {

using json = nlohmann::json;

struct Options {
  std::string base_url = "https://commentanalyzer.googleapis.com";
  std::string api_key;  // the secret itself (resolved from api_key_env); may be empty
  double qps = 1.0;
  double timeout_s = 30;
  double connect_timeout_s = 10;
  bool verify_tls = true;

  // Reads the plugin config; throws sdk::config_error naming the key.
  static Options parse(const json& config);
};

// Spaces calls so that at most `qps` start per second (a shared schedule of start times).
class RateLimiter {
 public:
  explicit RateLimiter(double qps) : interval_(qps > 0 ? 1.0 / qps : 0.0) {}
  // Waits for this call's slot; returns false when `cancelled` became true while waiting.
  bool acquire(const std::function<bool()>& cancelled);

 private:
  using Clock = std::chrono::steady_clock;
  double interval_;
  std::mutex mu_;
  Clock::time_point next_{};
};

// The request body for one text.
json analyze_body(const std::string& text);
// The TOXICITY span score of an analyze reply; sdk::Error(TLM_E_RUNTIME) when absent.
double span_score(const json& reply);
// Seconds from a Retry-After header value (delta-seconds or an HTTP date), -1 when unusable.
double parse_retry_after(const std::string& value);

class Perspective : public sdk::Model {
 public:
  static sdk::Meta meta();

  Perspective(const json& config, sdk::Host host);

  json identity(sdk::Call& call) override;
  json call(const json& request, sdk::Call& call) override;

  // One analyze request (rate-limited); the reply as the model's classify response.
  json analyze(const std::string& text, const std::function<bool()>& cancelled);

 private:
  std::string url() const;                      // with the key: never log it
  std::string safe(std::string message) const;  // the key masked out

  Options opt_;
  RateLimiter limiter_;
};

}  // namespace trustllm::perspective
