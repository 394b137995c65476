#include "trustllm_common/json_file.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace trustllm::data {
namespace {

namespace sdk = trustllm::sdk;

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool starts_with_at(std::string_view text, size_t pos, std::string_view word) {
  return text.size() - pos >= word.size() && text.compare(pos, word.size(), word) == 0;
}

// A literal at `pos` counts only as a whole token (not followed by a letter or digit).
bool token_at(std::string_view text, size_t pos, std::string_view word) {
  if (!starts_with_at(text, pos, word)) return false;
  size_t end = pos + word.size();
  return end == text.size() || !is_ident_char(text[end]);
}

struct Rewrite {
  std::string text;  // the input with every non-finite literal replaced by `null`
  // For each `null` token of the rewritten text, in document order: the non-finite value it
  // replaced, or 0.0 for a `null` that was in the input.
  std::vector<double> null_tokens;
  bool changed = false;
};

// One pass over the text, tracking whether we are inside a string (with backslash escapes).
Rewrite rewrite_non_finite(std::string_view in) {
  Rewrite r;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  bool in_string = false;
  size_t copied = 0;  // in[copied, i) still has to be appended
  auto replace = [&](size_t pos, size_t len, double value) {
    r.text.append(in.substr(copied, pos - copied));
    r.text.append("null");
    copied = pos + len;
    r.null_tokens.push_back(value);
    r.changed = true;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // skip the escaped character (a \uXXXX tail is plain hex digits)
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == 'n' && token_at(in, i, "null")) {
      r.null_tokens.push_back(0.0);
      i += 3;
    } else if (c == 'N' && token_at(in, i, "NaN")) {
      replace(i, 3, nan);
      i += 2;
    } else if (c == 'I' && token_at(in, i, "Infinity")) {
      replace(i, 8, inf);
      i += 7;
    } else if (c == '-' && token_at(in, i + 1, "Infinity")) {
      replace(i, 9, -inf);
      i += 8;
    }
  }
  if (r.changed) r.text.append(in.substr(copied));
  return r;
}

}  // namespace

json parse_lenient(std::string_view text, const std::string& what, NonFinite non_finite) {
  Rewrite rw = rewrite_non_finite(text);
  std::string_view src = rw.changed ? std::string_view(rw.text) : text;
  try {
    if (!rw.changed || non_finite == NonFinite::to_null) {
      return json::parse(src);
    }
    // Put the non-finite doubles back: the parser reports every value in document order, so the
    // k-th null value event corresponds to the k-th `null` token counted above.
    size_t k = 0;
    json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::value && parsed.is_null()) {
        if (k < rw.null_tokens.size() && rw.null_tokens[k] != 0.0) parsed = rw.null_tokens[k];
        ++k;
      }
      return true;
    };
    return json::parse(src, cb);
  } catch (const json::parse_error& e) {
    std::string msg = e.what();
    if (rw.changed) msg += " (byte offsets count each NaN/Infinity as the 4-byte null)";
    throw sdk::Error(TLM_E_INPUT, what + ": not valid JSON: " + msg);
  }
}

std::string read_file_bytes(const std::filesystem::path& path, const std::string& not_found_hint) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::string msg = path.string() + ": file not found";
    if (!not_found_hint.empty()) msg += " \u2014 " + not_found_hint;
    throw sdk::Error(TLM_E_NOT_FOUND, msg);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sdk::Error(TLM_E_RUNTIME, path.string() + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw sdk::Error(TLM_E_RUNTIME, path.string() + ": read error");
  return std::move(ss).str();
}

json parse_json_array(std::string_view bytes, const std::filesystem::path& path,
                      NonFinite non_finite) {
  json doc = parse_lenient(bytes, path.string(), non_finite);
  if (!doc.is_array()) {
    throw sdk::Error(TLM_E_INPUT, path.string() + ": expected a JSON array at the top level, found " +
                                      std::string(doc.type_name()));
  }
  return doc;
}

json read_json_array(const std::filesystem::path& path, const ReadOptions& options) {
  std::string bytes = read_file_bytes(path, options.not_found_hint);
  return parse_json_array(bytes, path, options.non_finite);
}

}  // namespace trustllm::data
