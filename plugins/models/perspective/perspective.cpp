// perspective: config, rate limiting, and one libcurl POST per analyze request. See
// perspective.hpp.
#include "perspective.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>

namespace trustllm::perspective {

namespace {

constexpr const char* kSchema = R"json({
  "type": "object",
  "description": "Google Perspective API toxicity scorer (op classify -> label TOXICITY).",
  "additionalProperties": false,
  "properties": {
    "base_url": {"type": "string", "minLength": 1, "default": "https://commentanalyzer.googleapis.com", "description": "API root; the plugin posts to {base_url}/v1alpha1/comments:analyze"},
    "api_key_env": {"type": "string", "default": "PERSPECTIVE_API_KEY", "description": "NAME of the environment variable holding the API key (the key itself never goes in a file); empty = send no key (local test servers)"},
    "qps": {"type": "number", "exclusiveMinimum": 0, "default": 1, "description": "at most this many requests per second (the API's default quota is 1)"},
    "timeout": {"type": "number", "exclusiveMinimum": 0, "default": 30, "description": "seconds per request"},
    "connect_timeout": {"type": "number", "exclusiveMinimum": 0, "default": 10, "description": "seconds to connect"},
    "verify_tls": {"type": "boolean", "default": true, "description": "verify the server's TLS certificate"}
  }
})json";

constexpr const char* kExample =
    "plugin: perspective\n"
    "api_key_env: PERSPECTIVE_API_KEY   # the NAME of the variable, not the key\n"
    "qps: 1\n";

constexpr const char* kPath = "/v1alpha1/comments:analyze";

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

double positive_number(const json& c, const char* key, double fallback) {
  auto it = c.find(key);
  if (it == c.end()) return fallback;
  if (!it->is_number() || it->get<double>() <= 0) {
    throw sdk::config_error(std::string("/") + key, "must be a positive number");
  }
  return it->get<double>();
}

std::string resolve_key(const json& c) {
  std::string name = "PERSPECTIVE_API_KEY";
  if (auto it = c.find("api_key_env"); it != c.end()) {
    if (!it->is_string()) throw sdk::config_error("/api_key_env", "must be a variable NAME");
    name = it->get<std::string>();
  }
  if (name.empty()) return {};
  const char* key = std::getenv(name.c_str());
  if (!key || !*key) {
    throw sdk::config_error("/api_key_env", "environment variable " + name +
                                                " is not set: export it with your Perspective "
                                                "API key");
  }
  return key;
}

struct Transfer {
  std::string body;
  std::string retry_after;
  const std::function<bool()>* cancelled = nullptr;
  bool cancel_seen = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->body.size() > (8u << 20)) return 0;  // a Perspective reply is small: refuse > 8 MiB
  t->body.append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (name == "retry-after") {
    std::string v = line.substr(colon + 1);
    const auto b = v.find_first_not_of(" \t");
    const auto e = v.find_last_not_of(" \t\r\n");
    t->retry_after = b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  }
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancelled && *t->cancelled && (*t->cancelled)()) {
    t->cancel_seen = true;
    return 1;
  }
  return 0;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// The error text of a non-200 reply: Google's {"error":{"message":...}} when present.
std::string error_message(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("error")) {
    const json& e = j["error"];
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"];
    if (e.is_string()) return e.get<std::string>();
  }
  return body.substr(0, 200);
}

bool retryable_transport(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

Options Options::parse(const json& c) {
  if (!c.is_object()) throw sdk::config_error("", "configuration must be an object");
  for (auto it = c.begin(); it != c.end(); ++it) {
    static const char* const allowed[] = {"base_url", "api_key_env",     "qps",
                                          "timeout",  "connect_timeout", "verify_tls"};
    if (std::find_if(std::begin(allowed), std::end(allowed),
                     [&](const char* a) { return it.key() == a; }) == std::end(allowed)) {
      throw sdk::config_error("/" + it.key(),
                              "unknown key (allowed: base_url, api_key_env, qps, "
                              "timeout, connect_timeout, verify_tls)");
    }
  }
  Options o;
  if (auto it = c.find("base_url"); it != c.end()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      throw sdk::config_error("/base_url",
                              "must be a URL, e.g. https://commentanalyzer.googleapis.com");
    }
    o.base_url = it->get<std::string>();
    while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  }
  if (auto it = c.find("verify_tls"); it != c.end()) {
    if (!it->is_boolean()) throw sdk::config_error("/verify_tls", "must be true or false");
    o.verify_tls = it->get<bool>();
  }
  o.qps = positive_number(c, "qps", 1.0);
  o.timeout_s = positive_number(c, "timeout", 30.0);
  o.connect_timeout_s = positive_number(c, "connect_timeout", 10.0);
  o.api_key = resolve_key(c);
  return o;
}

bool RateLimiter::acquire(const std::function<bool()>& cancelled) {
  Clock::time_point slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const Clock::time_point now = Clock::now();
    slot = std::max(now, next_);
    next_ = slot +
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_));
  }
  while (Clock::now() < slot) {
    if (cancelled && cancelled()) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(slot - Clock::now(), std::chrono::milliseconds(25)));
  }
  return true;
}

json analyze_body(const std::string& text) {
  return json{{"comment", {{"text", text}}},
              {"requestedAttributes", {{"TOXICITY", json::object()}}}};
}

double span_score(const json& reply) {
  const json::json_pointer p("/attributeScores/TOXICITY/spanScores/0/score/value");
  if (reply.is_object() && reply.contains(p) && reply.at(p).is_number()) {
    return reply.at(p).get<double>();
  }
  throw sdk::Error(TLM_E_RUNTIME,
                   "Perspective reply has no attributeScores.TOXICITY."
                   "spanScores[0].score.value");
}

double parse_retry_after(const std::string& value) {
  if (value.empty()) return -1;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(v) && v >= 0) return v;
  const time_t t = curl_getdate(value.c_str(), nullptr);
  if (t == static_cast<time_t>(-1)) return -1;
  return std::max(0.0, std::difftime(t, std::time(nullptr)));
}

sdk::Meta Perspective::meta() {
  sdk::Meta m{"perspective", "1.0.0",
              "Google Perspective API toxicity scorer (classify -> TOXICITY span score, the "
              "TrustLLM toolkit's reading); rate-limited, key from an environment variable"};
  m.config_schema = kSchema;
  m.example_config = kExample;
  m.capabilities = TLM_CAP_CONCURRENT_CALLS | TLM_CAP_CLASSIFY;
  return m;
}

Perspective::Perspective(const json& config, sdk::Host)
    : opt_(Options::parse(config)), limiter_(opt_.qps) {
  curl_global_once();
}

json Perspective::identity(sdk::Call&) {
  return json{{"backend", "perspective"},
              {"model", "perspective/v1alpha1:TOXICITY(spanScores[0])"},
              {"endpoint", opt_.base_url}};
}

std::string Perspective::url() const {
  std::string u = opt_.base_url + kPath;
  if (opt_.api_key.empty()) return u;
  std::unique_ptr<CURL, EasyDeleter> h(curl_easy_init());
  char* esc =
      h ? curl_easy_escape(h.get(), opt_.api_key.c_str(), static_cast<int>(opt_.api_key.size()))
        : nullptr;
  if (!esc) throw sdk::Error(TLM_E_RUNTIME, "cannot encode the API key");
  u += "?key=";
  u += esc;
  curl_free(esc);
  return u;
}

std::string Perspective::safe(std::string message) const {
  if (opt_.api_key.empty()) return message;
  for (size_t p = message.find(opt_.api_key); p != std::string::npos;
       p = message.find(opt_.api_key, p)) {
    message.replace(p, opt_.api_key.size(), "***");
  }
  return message;
}

json Perspective::analyze(const std::string& text, const std::function<bool()>& cancelled) {
  if (!limiter_.acquire(cancelled)) throw sdk::Error(TLM_E_CANCELLED, "cancelled");
  const std::string where = opt_.base_url + kPath;  // for messages: no key
  const std::string body = analyze_body(text).dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string full_url = url();

  std::unique_ptr<CURL, EasyDeleter> h(curl_easy_init());
  if (!h) throw sdk::Error(TLM_E_RUNTIME, "curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  Transfer tr;
  tr.cancelled = &cancelled;
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, full_url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "trustllm/0.1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &tr);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &tr);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &tr);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, opt_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, opt_.verify_tls ? 2L : 0L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, std::max(1L, std::lround(opt_.timeout_s * 1000)));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   std::max(1L, std::lround(opt_.connect_timeout_s * 1000)));

  const CURLcode rc = curl_easy_perform(c);
  if (tr.cancel_seen || rc == CURLE_ABORTED_BY_CALLBACK) {
    throw sdk::Error(TLM_E_CANCELLED, "cancelled");
  }
  if (rc != CURLE_OK) {
    // curl_easy_strerror names the failure class only, never the URL (which holds the key).
    const std::string msg =
        "Perspective request to " + where + " failed: " + curl_easy_strerror(rc);
    throw sdk::Error(retryable_transport(rc) ? TLM_E_RETRYABLE : TLM_E_REQUEST, safe(msg));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    const std::string msg = "Perspective HTTP " + std::to_string(status) + " from " + where + ": " +
                            error_message(tr.body);
    if (status == 408 || status == 429 || status >= 500) {
      throw sdk::Error(TLM_E_RETRYABLE, safe(msg), parse_retry_after(tr.retry_after));
    }
    throw sdk::Error(TLM_E_REQUEST, safe(msg));
  }
  json reply = json::parse(tr.body, nullptr, false);
  if (reply.is_discarded()) {
    throw sdk::Error(TLM_E_RETRYABLE, "Perspective reply from " + where + " is not valid JSON");
  }
  json out{{"labels", json::array({json{{"label", "TOXICITY"}, {"score", span_score(reply)}}})}};
  const json::json_pointer summary("/attributeScores/TOXICITY/summaryScore/value");
  if (reply.contains(summary)) out["summary_score"] = reply.at(summary);
  return out;
}

json Perspective::call(const json& request, sdk::Call& call) {
  const std::string op = request.value("op", std::string());
  if (op != "classify") {
    throw sdk::Error(TLM_E_UNSUPPORTED,
                     "perspective only answers op classify (a toxicity scorer), not '" + op + "'");
  }
  auto in = request.find("input");
  if (in == request.end() || !in->is_string()) {
    throw sdk::Error(TLM_E_INPUT, "perspective: classify needs a string \"input\"");
  }
  return analyze(in->get<std::string>(), [&] { return call.cancelled(); });
}

}  // namespace trustllm::perspective
