#include "openai_backend.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <mutex>
#include <cstdio>
#include <string>
#include <system_error>

namespace trustllm::openai {

using json = nlohmann::json;

const char* to_string(BackendError::Kind kind) {
  switch (kind) {
    case BackendError::Retryable: return "retryable";
    case BackendError::Request: return "request";
    case BackendError::Runtime: return "runtime";
    case BackendError::Cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kMaxResponseBytes = 64u << 20;  // 64 MiB
constexpr std::size_t kMaxIdleSlots = 256;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses the whole of `s` as a finite, non-negative number.
bool parse_number(std::string_view s, double& out) {
  s = trim(s);
  if (s.empty()) return false;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v) || v < 0) return false;
  out = v;
  return true;
}

// One line, bounded length, cut on a UTF-8 character boundary.
std::string one_line(std::string s, std::size_t max_len = 600) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\t' || c == '\f' || c == '\v') c = ' ';
    if (c == ' ') {
      if (space) continue;
      space = true;
    } else {
      space = false;
    }
    out.push_back(c);
  }
  if (out.size() > max_len) {
    std::size_t cut = max_len;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return std::string(trim(out));
}

// Removes the secret, and any word that visibly quotes a piece of it (servers like to echo
// "Incorrect API key provided: sk-abc1****wxyz"), from a message.
std::string redact(std::string s, const std::string& secret) {
  if (secret.empty()) return s;
  for (std::size_t pos; (pos = s.find(secret)) != std::string::npos;)
    s.replace(pos, secret.size(), "[redacted]");
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ') {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    std::string_view word(s.data() + i, j - i);
    bool leaks = false;
    // Every maximal run of "key-like" characters of length >= 4 is checked against the key.
    std::size_t k = 0;
    while (k < word.size() && !leaks) {
      auto keyish = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      };
      if (!keyish(word[k])) {
        ++k;
        continue;
      }
      std::size_t e = k;
      while (e < word.size() && keyish(word[e])) ++e;
      std::string_view run = word.substr(k, e - k);
      if (run.size() >= 4 && secret.find(run) != std::string::npos &&
          (run.size() >= 8 || word.find('*') != std::string_view::npos ||
           word.find("...") != std::string_view::npos))
        leaks = true;
      k = e;
    }
    if (leaks)
      out += "[redacted]";
    else
      out.append(word);
    i = j;
  }
  return out;
}

void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Best-effort human text of an error body: OpenAI {"error":{"message":..}}, TGI/TEI
// {"error":"..."}, FastAPI {"detail":...}, or the raw body.
std::string server_error_message(const std::string& body, const json* parsed = nullptr) {
  json tmp;
  if (!parsed) {
    tmp = json::parse(body, nullptr, false);
    parsed = &tmp;
  }
  const json& j = *parsed;
  std::string msg;
  if (j.is_object()) {
    auto err = j.find("error");
    if (err != j.end()) {
      if (err->is_object()) {
        auto m = err->find("message");
        if (m != err->end() && m->is_string()) msg = m->get<std::string>();
        auto c = err->find("code");
        if (c != err->end() && (c->is_string() || c->is_number()) && !msg.empty()) {
          std::string code = c->is_string() ? c->get<std::string>() : c->dump();
          if (!code.empty()) msg += " [code " + code + "]";
        }
        if (msg.empty()) msg = err->dump();
      } else if (err->is_string()) {
        msg = err->get<std::string>();
      }
    }
    if (msg.empty()) {
      for (const char* key : {"message", "detail"}) {
        auto m = j.find(key);
        if (m == j.end()) continue;
        msg = m->is_string() ? m->get<std::string>() : m->dump();
        break;
      }
    }
  } else if (j.is_string()) {
    msg = j.get<std::string>();
  }
  if (msg.empty() && j.is_discarded()) msg = body;
  return one_line(msg, 300);
}

std::string json_error_code(const json& j) {
  if (!j.is_object()) return {};
  auto err = j.find("error");
  if (err == j.end() || !err->is_object()) return {};
  auto c = err->find("code");
  if (c != err->end() && c->is_string()) return c->get<std::string>();
  return {};
}

long long int_or(const json& j, const char* key, long long dflt) {
  if (!j.is_object()) return dflt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return dflt;
  return it->get<long long>();
}

std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_array()) {  // [{"type":"text","text":"..."}, ...]
    std::string out;
    for (const auto& part : content) {
      if (part.is_string()) {
        out += part.get<std::string>();
      } else if (part.is_object()) {
        auto t = part.find("text");
        if (t != part.end() && t->is_string()) out += t->get<std::string>();
      }
    }
    return out;
  }
  return {};
}

struct Response {
  long status = 0;
  std::string body;
  std::string retry_after;
  std::string retry_after_ms;
};

struct Transfer {
  Response* resp = nullptr;
  const std::function<bool()>* cancelled = nullptr;
  bool overflow = false;
  bool cancel_seen = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->resp->body.size() + len > kMaxResponseBytes) {
    t->overflow = true;
    return 0;
  }
  t->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {  // a new header block
    t->resp->retry_after.clear();
    t->resp->retry_after_ms.clear();
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  const std::string name = lower(trim(line.substr(0, colon)));
  if (name == "retry-after")
    t->resp->retry_after = std::string(trim(line.substr(colon + 1)));
  else if (name == "retry-after-ms")
    t->resp->retry_after_ms = std::string(trim(line.substr(colon + 1)));
  return len;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->cancelled && *t->cancelled && (*t->cancelled)()) {
    t->cancel_seen = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

struct Slot {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;  // owns the connection cache of this slot (keep-alive)
  bool configured = false;  // the per-backend options are set (once, at the first call)
  Slot() : easy(curl_easy_init()), multi(curl_multi_init()) {}
  ~Slot() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
};

}  // namespace

namespace detail {

double parse_retry_after(std::string_view retry_after, std::string_view retry_after_ms,
                         std::time_t now) {
  double v = 0;
  if (parse_number(retry_after_ms, v)) return v / 1000.0;
  const std::string_view ra = trim(retry_after);
  if (ra.empty()) return -1;
  if (parse_number(ra, v)) return v;
  const std::string date(ra);
  const time_t t = curl_getdate(date.c_str(), nullptr);
  if (t == static_cast<time_t>(-1)) return -1;
  return std::max(0.0, std::difftime(t, now));
}

std::string join_url(std::string_view base, std::string_view path, std::string_view api_version) {
  std::string b(trim(base));
  std::string query;
  if (auto q = b.find('?'); q != std::string::npos) {
    query = b.substr(q + 1);
    b.resize(q);
  }
  while (!b.empty() && b.back() == '/') b.pop_back();
  std::string url = b;
  if (!path.empty()) {
    if (path.front() != '/') url += '/';
    url += path;
  }
  if (!api_version.empty() && query.find("api-version=") == std::string::npos) {
    if (!query.empty()) query += '&';
    query += "api-version=";
    query += api_version;
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

}  // namespace detail

struct Backend::Impl {
  const BackendOptions& opts;
  std::string chat_url, embed_url, predict_url;
  curl_slist* headers = nullptr;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mu;
  std::vector<std::unique_ptr<Slot>> idle;

  explicit Impl(const BackendOptions& o) : opts(o) {
    curl_global_once();
    chat_url = detail::join_url(o.base_url, "chat/completions", o.api_version);
    embed_url = detail::join_url(o.base_url, "embeddings", o.api_version);
    predict_url = detail::join_url(o.base_url, "predict", o.api_version);

    auto add = [this](const std::string& h) {
      curl_slist* n = curl_slist_append(headers, h.c_str());
      if (!n) throw BackendError(BackendError::Runtime, "out of memory building HTTP headers");
      headers = n;
    };
    add("Content-Type: application/json");
    add("Accept: application/json");
    add("Expect:");  // no 100-continue round trip for large bodies
    if (!o.api_key.empty()) add(o.azure ? "api-key: " + o.api_key : "Authorization: Bearer " + o.api_key);
    for (const auto& [name, value] : o.headers) {
      if (name.empty() || name.find_first_of(":\r\n") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos)
        throw BackendError(BackendError::Request,
                           "invalid extra header name '" + one_line(name, 60) +
                               "' — header names must be non-empty without ':' and values one line");
      add(value.empty() ? name + ";" : name + ": " + value);
    }

    share = curl_share_init();
    if (share) {
      curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::lock_cb);
      curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock_cb);
      curl_share_setopt(share, CURLSHOPT_USERDATA, this);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }

  ~Impl() {
    idle.clear();  // handles first: they reference the share
    if (share) curl_share_cleanup(share);
    curl_slist_free_all(headers);
  }

  static void lock_cb(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (data >= 0 && data < CURL_LOCK_DATA_LAST) self->share_locks[data].lock();
  }
  static void unlock_cb(CURL*, curl_lock_data data, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (data >= 0 && data < CURL_LOCK_DATA_LAST) self->share_locks[data].unlock();
  }

  std::unique_ptr<Slot> acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mu);
      if (!idle.empty()) {
        auto s = std::move(idle.back());
        idle.pop_back();
        return s;
      }
    }
    auto s = std::make_unique<Slot>();
    if (!s->easy || !s->multi)
      throw BackendError(BackendError::Runtime, "could not create a libcurl handle");
    return s;
  }

  void release(std::unique_ptr<Slot> s) {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (idle.size() < kMaxIdleSlots) idle.push_back(std::move(s));
  }

  std::string safe(std::string s) const { return one_line(redact(std::move(s), opts.api_key)); }

  // The options that are the same for every request of this backend, set once per handle
  // (curl_easy_reset and ~25 setopt calls per request cost more than the rest of the setup).
  void configure(CURL* h) const {
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "trustllm/0.1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, opts.verify_tls ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, opts.verify_tls ? 2L : 0L);
    if (opts.timeout_s > 0)
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, std::max(1L, std::lround(opts.timeout_s * 1000)));
    if (opts.connect_timeout_s > 0)
      curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       std::max(1L, std::lround(opts.connect_timeout_s * 1000)));
    if (share) curl_easy_setopt(h, CURLOPT_SHARE, share);
  }

  // One POST; throws for transport failures and cancellation, returns any HTTP response.
  Response post(const std::string& url, const std::string& body,
                const std::function<bool()>& cancelled) {
    if (cancelled && cancelled())
      throw BackendError(BackendError::Cancelled, safe("request to " + url + " cancelled"));

    auto slot = acquire();
    CURL* h = slot->easy;
    Response resp;
    Transfer tr;
    tr.resp = &resp;
    tr.cancelled = &cancelled;
    std::array<char, CURL_ERROR_SIZE> errbuf{};

    if (!slot->configured) {
      configure(h);
      slot->configured = true;
    }
    // Only what changes from call to call; everything else was set once for this handle.
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &tr);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &tr);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &tr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf.data());

    CURLM* m = slot->multi;
    if (curl_multi_add_handle(m, h) != CURLM_OK)
      throw BackendError(BackendError::Runtime, "libcurl refused the transfer");
    CURLcode rc = CURLE_OK;
    bool finished = false;
    bool aborted = false;
    std::string multi_error;
    try {
      for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(m, &running);
        if (mc != CURLM_OK) {
          multi_error = curl_multi_strerror(mc);
          break;
        }
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(m, &queued)) {
          if (msg->msg == CURLMSG_DONE && msg->easy_handle == h) {
            rc = msg->data.result;
            finished = true;
          }
        }
        if (finished || running == 0) break;
        if (cancelled && cancelled()) {
          aborted = true;
          break;
        }
        mc = curl_multi_poll(m, nullptr, 0, cancelled ? 25 : 1000, nullptr);
        if (mc != CURLM_OK) {
          multi_error = curl_multi_strerror(mc);
          break;
        }
      }
    } catch (...) {  // cancelled() threw
      curl_multi_remove_handle(m, h);
      curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
      throw;
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(m, h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    release(std::move(slot));

    if (aborted || rc == CURLE_ABORTED_BY_CALLBACK || tr.cancel_seen)
      throw BackendError(BackendError::Cancelled, safe("request to " + url + " cancelled"));
    if (!multi_error.empty())
      throw BackendError(BackendError::Runtime, safe("POST " + url + ": libcurl: " + multi_error));
    if (!finished && rc == CURLE_OK)
      throw BackendError(BackendError::Retryable,
                         safe("POST " + url + ": transfer ended without a result"));
    if (rc != CURLE_OK) throw transport_error(url, rc, errbuf.data(), tr.overflow);
    resp.status = status;
    return resp;
  }

  BackendError transport_error(const std::string& url, CURLcode rc, const char* errbuf,
                               bool overflow) const {
    std::string detail = errbuf && *errbuf ? std::string(errbuf) : curl_easy_strerror(rc);
    std::string what = "POST " + url + ": ";
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT: {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%g", opts.timeout_s);
        return BackendError(BackendError::Retryable,
                            safe(what + "timed out (timeout_s=" + secs + "): " + detail));
      }
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        return BackendError(BackendError::Retryable,
                            safe(what + "could not resolve host — check base_url: " + detail));
      case CURLE_COULDNT_CONNECT:
        return BackendError(BackendError::Retryable,
                            safe(what + "connection failed — is the server up? " + detail));
      case CURLE_GOT_NOTHING:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_PARTIAL_FILE:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_BAD_CONTENT_ENCODING:
      case CURLE_WEIRD_SERVER_REPLY:
        return BackendError(BackendError::Retryable,
                            safe(what + "connection dropped: " + detail));
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return BackendError(BackendError::Request,
                            safe(what + "TLS verification failed — fix the server certificate or "
                                        "CA bundle, or set verify_tls false for a trusted host: " +
                                 detail));
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return BackendError(BackendError::Request,
                            safe(what + "bad URL — base_url must start with http:// or https://: " +
                                 detail));
      case CURLE_WRITE_ERROR:
        if (overflow)
          return BackendError(BackendError::Runtime,
                              safe(what + "response larger than 64 MiB"));
        [[fallthrough]];
      default:
        return BackendError(BackendError::Runtime, safe(what + detail));
    }
  }

  BackendError http_error(const std::string& url, const Response& r) const {
    const json parsed = json::parse(r.body, nullptr, false);
    const std::string server = server_error_message(r.body, &parsed);
    const double retry_after =
        detail::parse_retry_after(r.retry_after, r.retry_after_ms, std::time(nullptr));
    const long s = r.status;
    BackendError::Kind kind = BackendError::Request;
    std::string hint;
    if (s == 400) {
      hint = "bad request — check the request parameters and the model name";
    } else if (s == 401) {
      hint = "invalid API key — check the variable named by api_key_env";
    } else if (s == 403) {
      hint = "permission denied — check that the API key may use this model/endpoint";
    } else if (s == 404) {
      hint = "not found — check base_url and the model"
             + std::string(opts.azure ? " (Azure: deployment name and api_version)" : " name");
    } else if (s == 408) {
      kind = BackendError::Retryable;
      hint = "request timeout";
    } else if (s == 413) {
      hint = "request too large — shorten the input";
    } else if (s == 422) {
      hint = "unprocessable request — the server rejected a parameter; check what this server "
             "supports";
    } else if (s == 429) {
      if (json_error_code(parsed) == "insufficient_quota") {
        hint = "quota exhausted — check the plan and billing of this API key";
      } else {
        kind = BackendError::Retryable;
        hint = "rate limited";
      }
    } else if (s >= 500 && s <= 599) {
      kind = BackendError::Retryable;
      hint = "server error";
    } else if (s >= 400 && s <= 499) {
      hint = "request rejected";
    } else {
      kind = BackendError::Runtime;
      hint = "unexpected HTTP status — check base_url";
    }
    std::string msg = "HTTP " + std::to_string(s) + " from " + url + ": " + hint;
    if (!server.empty()) msg += " (server: " + server + ")";
    return BackendError(kind, safe(msg), retry_after, static_cast<int>(s));
  }

  // Parses a 2xx body; a body that is not JSON is a truncated/garbled reply: retryable.
  json parse_ok(const std::string& url, const Response& r) const {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded())
      throw BackendError(BackendError::Retryable,
                         safe("HTTP " + std::to_string(r.status) + " from " + url +
                              ": response body is not valid JSON (truncated reply?)"),
                         -1, static_cast<int>(r.status));
    return j;
  }

  [[noreturn]] void bad_shape(const std::string& url, const Response& r, const json& j,
                              const std::string& expected) const {
    // An error object inside a 200 (some proxies do this) is treated as transient.
    if (j.is_object() && j.contains("error"))
      throw BackendError(BackendError::Retryable,
                         safe("HTTP " + std::to_string(r.status) + " from " + url +
                              " carried an error: " + server_error_message(r.body, &j)),
                         -1, static_cast<int>(r.status));
    throw BackendError(BackendError::Runtime,
                       safe("HTTP " + std::to_string(r.status) + " from " + url +
                            ": unexpected response, expected " + expected +
                            " — is base_url the right kind of endpoint?"),
                       -1, static_cast<int>(r.status));
  }

  json chat(const json& req, const std::function<bool()>& cancelled) {
    auto msgs = req.find("messages");
    if (msgs == req.end() || !msgs->is_array() || msgs->empty())
      throw BackendError(BackendError::Request,
                         "chat request needs a non-empty \"messages\" array");
    json body = json::object();
    if (!opts.model.empty()) body["model"] = opts.model;
    body["messages"] = *msgs;
    for (const char* key : {"temperature", "max_tokens", "top_p", "seed", "stop",
                            "presence_penalty", "frequency_penalty", "n", "response_format"}) {
      auto it = req.find(key);
      if (it == req.end() || it->is_null()) continue;
      if (std::string_view(key) == "stop" && it->is_array() && it->empty()) continue;
      body[key] = *it;
    }
    if (auto extra = req.find("extra"); extra != req.end() && extra->is_object())
      body.update(*extra);

    const Response r = post(chat_url, body.dump(-1, ' ', false, json::error_handler_t::replace),
                            cancelled);
    if (r.status == 400) {  // Azure: prompt rejected by the content filter
      json j = json::parse(r.body, nullptr, false);
      if (json_error_code(j) == "content_filter") {
        return json{{"text", ""},
                    {"finish_reason", "content_filter"},
                    {"refused_by_provider", true},
                    {"model", opts.model},
                    {"usage", {{"prompt_tokens", 0}, {"completion_tokens", 0}}}};
      }
    }
    if (r.status < 200 || r.status > 299) throw http_error(chat_url, r);
    const json j = parse_ok(chat_url, r);
    if (!j.is_object()) bad_shape(chat_url, r, j, "an object with \"choices\"");
    auto choices = j.find("choices");
    if (choices == j.end() || !choices->is_array() || choices->empty() ||
        !(*choices)[0].is_object())
      bad_shape(chat_url, r, j, "\"choices\"[0]");
    const json& c = (*choices)[0];
    std::string text;
    std::string refusal;
    bool has_refusal = false;
    if (auto m = c.find("message"); m != c.end() && m->is_object()) {
      if (auto ct = m->find("content"); ct != m->end()) text = content_text(*ct);
      if (auto rf = m->find("refusal"); rf != m->end() && rf->is_string()) {
        has_refusal = true;
        refusal = rf->get<std::string>();
      }
    } else if (auto t = c.find("text"); t != c.end() && t->is_string()) {
      text = t->get<std::string>();  // legacy completions shape
    } else {
      bad_shape(chat_url, r, j, "\"choices\"[0].message");
    }
    std::string finish = "stop";
    if (auto f = c.find("finish_reason"); f != c.end() && f->is_string())
      finish = f->get<std::string>();
    const bool refused = has_refusal || finish == "content_filter";
    std::string model = opts.model;
    if (auto mm = j.find("model"); mm != j.end() && mm->is_string()) model = mm->get<std::string>();
    const json usage = j.contains("usage") ? j["usage"] : json::object();
    return json{{"text", has_refusal ? refusal : text},
                {"finish_reason", finish},
                {"refused_by_provider", refused},
                {"model", model},
                {"usage",
                 {{"prompt_tokens", int_or(usage, "prompt_tokens", 0)},
                  {"completion_tokens", int_or(usage, "completion_tokens", 0)}}}};
  }

  json embed(const json& req, const std::function<bool()>& cancelled) {
    auto in = req.find("input");
    if (in == req.end() || !(in->is_string() || (in->is_array() && !in->empty())))
      throw BackendError(BackendError::Request,
                         "embed request needs \"input\": a string or a non-empty array of strings");
    json body = json::object();
    if (!opts.model.empty()) body["model"] = opts.model;
    body["input"] = *in;
    const Response r = post(embed_url, body.dump(-1, ' ', false, json::error_handler_t::replace),
                            cancelled);
    if (r.status < 200 || r.status > 299) throw http_error(embed_url, r);
    const json j = parse_ok(embed_url, r);
    auto data = j.is_object() ? j.find("data") : j.end();
    if (!j.is_object() || data == j.end() || !data->is_array() || data->empty())
      bad_shape(embed_url, r, j, "\"data\"[].embedding");
    std::vector<std::pair<long long, json>> rows;
    for (const auto& d : *data) {
      if (!d.is_object() || !d.contains("embedding") || !d["embedding"].is_array())
        bad_shape(embed_url, r, j, "\"data\"[].embedding");
      rows.emplace_back(int_or(d, "index", static_cast<long long>(rows.size())), d["embedding"]);
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string model = opts.model;
    if (auto mm = j.find("model"); mm != j.end() && mm->is_string()) model = mm->get<std::string>();
    const json usage = j.contains("usage") ? j["usage"] : json::object();
    json out{{"embedding", rows.front().second},
             {"model", model},
             {"usage",
              {{"prompt_tokens", int_or(usage, "prompt_tokens", 0)},
               {"completion_tokens", 0}}}};
    if (in->is_array()) {
      json all = json::array();
      for (auto& row : rows) all.push_back(std::move(row.second));
      out["embeddings"] = std::move(all);
    }
    return out;
  }

  static json sorted_labels(const json& arr, bool& ok) {
    ok = arr.is_array();
    json out = json::array();
    if (!ok) return out;
    std::vector<std::pair<std::string, double>> v;
    for (const auto& e : arr) {
      if (!e.is_object() || !e.contains("label") || !e.contains("score") ||
          !e["score"].is_number()) {
        ok = false;
        return out;
      }
      const json& l = e["label"];
      v.emplace_back(l.is_string() ? l.get<std::string>() : l.dump(), e["score"].get<double>());
    }
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (auto& [label, score] : v) out.push_back(json{{"label", label}, {"score", score}});
    return out;
  }

  json classify(const json& req, const std::function<bool()>& cancelled) {
    auto in = req.find("input");
    if (in == req.end() || !(in->is_string() || (in->is_array() && !in->empty())))
      throw BackendError(BackendError::Request,
                         "classify request needs \"input\": a string or a non-empty array");
    json body{{"inputs", *in}, {"truncate", true}};
    const Response r = post(predict_url,
                            body.dump(-1, ' ', false, json::error_handler_t::replace), cancelled);
    if (r.status < 200 || r.status > 299) throw http_error(predict_url, r);
    const json j = parse_ok(predict_url, r);
    if (!j.is_array() || j.empty()) bad_shape(predict_url, r, j, "[{\"label\",\"score\"}, ...]");
    bool ok = true;
    json out = json::object();
    if (j[0].is_array()) {  // [[{...}], [{...}]]: one list per input
      json batch = json::array();
      for (const auto& one : j) {
        batch.push_back(sorted_labels(one, ok));
        if (!ok) bad_shape(predict_url, r, j, "[[{\"label\",\"score\"}, ...]]");
      }
      out["labels"] = batch[0];
      if (in->is_array()) out["labels_batch"] = std::move(batch);
    } else {
      out["labels"] = sorted_labels(j, ok);
      if (!ok) bad_shape(predict_url, r, j, "[{\"label\",\"score\"}, ...]");
      if (in->is_array()) out["labels_batch"] = json::array({out["labels"]});
    }
    if (!opts.model.empty()) out["model"] = opts.model;
    return out;
  }
};

Backend::Backend(BackendOptions options) : opts_(std::move(options)) {
  if (opts_.kind.empty()) opts_.kind = "chat";
  if (opts_.kind != "chat" && opts_.kind != "classifier")
    throw BackendError(BackendError::Request,
                       "unknown backend kind '" + one_line(opts_.kind, 60) +
                           "' — use \"chat\" (OpenAI-compatible) or \"classifier\" (TEI /predict)");
  const std::string_view base = trim(opts_.base_url);
  if (base.empty())
    throw BackendError(BackendError::Request, "base_url is empty — set it to the server's API root, "
                                              "e.g. http://127.0.0.1:8000/v1");
  if (base.substr(0, 7) != "http://" && base.substr(0, 8) != "https://")
    throw BackendError(BackendError::Request,
                       one_line(redact("base_url '" + std::string(base) +
                                           "' must start with http:// or https://",
                                       opts_.api_key)));
  impl_ = std::make_unique<Impl>(opts_);
}

Backend::~Backend() = default;

nlohmann::json Backend::call(const nlohmann::json& request,
                             const std::function<bool()>& cancelled) {
  if (!request.is_object())
    throw BackendError(BackendError::Request, "request must be a JSON object");
  std::string op;
  if (auto it = request.find("op"); it != request.end() && it->is_string())
    op = it->get<std::string>();
  else if (request.contains("messages"))
    op = "chat";
  if (opts_.kind == "classifier") {
    if (op != "classify")
      throw BackendError(BackendError::Request,
                         "op '" + one_line(op, 40) +
                             "' not supported by a \"classifier\" backend — it serves only "
                             "\"classify\"");
    return impl_->classify(request, cancelled);
  }
  if (op == "chat") return impl_->chat(request, cancelled);
  if (op == "embed") return impl_->embed(request, cancelled);
  throw BackendError(BackendError::Request,
                     "op '" + one_line(op, 40) +
                         "' not supported by a \"chat\" backend — use \"chat\" or \"embed\" "
                         "(classification needs kind \"classifier\")");
}

nlohmann::json Backend::identity() const {
  return json{{"backend", "openai"}, {"model", opts_.model}, {"endpoint", opts_.base_url}};
}

}  // namespace trustllm::openai
