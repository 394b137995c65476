// Python `str` semantics on UTF-8 text (see pytext.hpp): decoding, Unicode predicates through
// ICU, full lower-casing, split/strip/count, digit runs and Python str()/repr() of JSON values.
#include "trustllm_metrics/pytext.hpp"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace trustllm::py {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_cont(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

// Decodes one code point at s[i]; advances i past the maximal valid subpart (an invalid
// sequence yields U+FFFD, as Python's errors="replace").
char32_t decode_one(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t need = 0;
  char32_t cp = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    ++i;
    return kReplacement;
  }
  size_t j = i + 1;
  for (size_t k = 0; k < need; ++k, ++j) {
    if (j >= s.size()) {
      i = j;
      return kReplacement;
    }
    const auto b = static_cast<unsigned char>(s[j]);
    const bool ok = k == 0 ? (b >= lo && b <= hi) : is_cont(b);
    if (!ok) {
      i = j;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i = j;
  return cp;
}

void append_utf8(std::string& out, char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// UTF-8 with invalid bytes replaced, so byte-wise search matches code-point search.
std::string normalized(std::string_view s) {
  return encode(decode(s));
}

std::u16string to_utf16(std::u32string_view in) {
  std::u16string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
    if (c < 0x10000) {
      out.push_back(static_cast<char16_t>(c));
    } else {
      c -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (c >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (c & 0x3FF)));
    }
  }
  return out;
}

std::u32string from_utf16(std::u16string_view in) {
  std::u32string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char32_t c = in[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < in.size() && in[i + 1] >= 0xDC00 &&
        in[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      c = kReplacement;
    }
    out.push_back(c);
  }
  return out;
}

bool in_set(char32_t c, std::u32string_view set) {
  return set.find(c) != std::u32string_view::npos;
}

// Python str.isprintable(): false for Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than ' '.
bool isprintable(char32_t c) {
  if (c == ' ') return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SPACE_SEPARATOR:
      return false;
    default:
      return true;
  }
}

void append_hex(std::string& out, char32_t c, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", width, static_cast<unsigned>(c));
  out += buf;
}

// Python repr(float): shortest round-trip digits; exponent form when the decimal point
// position is <= -4 or > 16.
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (!sci.empty() && sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t epos = sci.find('e');
  const std::string mant = sci.substr(0, epos);
  const int exp10 = std::stoi(sci.substr(epos + 1));
  std::string digits;
  for (char ch : mant)
    if (ch != '.') digits.push_back(ch);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int decpt = exp10 + 1;  // value = 0.DIGITS * 10^decpt
  std::string out = sign;
  if (d == 0) return sign + "0.0";
  if (decpt <= -4 || decpt > 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char e[16];
    std::snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    return out + e;
  }
  if (decpt <= 0) return out + "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
  const auto dp = static_cast<size_t>(decpt);
  if (digits.size() <= dp) return out + digits + std::string(dp - digits.size(), '0') + ".0";
  return out + digits.substr(0, dp) + "." + digits.substr(dp);
}

void append_str(std::string& out, const nlohmann::json& v, bool top);

void append_container(std::string& out, const nlohmann::json& v) {
  if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v) {
      if (!first) out += ", ";
      first = false;
      append_str(out, e, false);
    }
    out += ']';
    return;
  }
  out += '{';
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!first) out += ", ";
    first = false;
    out += repr(it.key());
    out += ": ";
    append_str(out, it.value(), false);
  }
  out += '}';
}

void append_str(std::string& out, const nlohmann::json& v, bool top) {
  using T = nlohmann::json::value_t;
  switch (v.type()) {
    case T::null:
    case T::discarded:
      out += "None";
      return;
    case T::boolean:
      out += v.get<bool>() ? "True" : "False";
      return;
    case T::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case T::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case T::number_float:
      out += float_repr(v.get<double>());
      return;
    case T::string:
      out += top ? v.get_ref<const std::string&>() : repr(v.get_ref<const std::string&>());
      return;
    case T::array:
    case T::object:
      append_container(out, v);
      return;
    case T::binary:
      out += v.dump();
      return;
  }
}

}  // namespace

std::u32string decode(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) out.push_back(decode_one(utf8, i));
  return out;
}

std::string encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(out, c);
  return out;
}

bool isalpha(char32_t c) {
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return true;
    default:
      return false;
  }
}

bool isdecimal(char32_t c) {
  return c <= 0x10FFFF && u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}

bool isspace(char32_t c) {
  if (c >= 0x09 && c <= 0x0D) return true;
  if (c >= 0x1C && c <= 0x20) return true;
  if (c >= 0x2000 && c <= 0x200A) return true;
  switch (c) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return false;
  }
}

bool isword(char32_t c) {
  if (c == '_') return true;
  if (c > 0x10FFFF) return false;
  return isalpha(c) || u_getNumericValue(static_cast<UChar32>(c)) != U_NO_NUMERIC_VALUE;
}

int decimal_value(char32_t c) {
  if (!isdecimal(c)) return -1;
  const int v = u_charDigitValue(static_cast<UChar32>(c));
  return v >= 0 && v <= 9 ? v : -1;
}

size_t len(std::string_view s) {
  size_t n = 0, i = 0;
  while (i < s.size()) {
    decode_one(s, i);
    ++n;
  }
  return n;
}

std::string lower(std::string_view s) {
  const std::u16string src = to_utf16(decode(s));
  if (src.empty()) return {};
  std::u16string dst(src.size() * 3 + 8, u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = u_strToLower(reinterpret_cast<UChar*>(dst.data()), static_cast<int32_t>(dst.size()),
                           reinterpret_cast<const UChar*>(src.data()),
                           static_cast<int32_t>(src.size()), "", &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    dst.assign(static_cast<size_t>(n), u'\0');
    status = U_ZERO_ERROR;
    n = u_strToLower(reinterpret_cast<UChar*>(dst.data()), static_cast<int32_t>(dst.size()),
                     reinterpret_cast<const UChar*>(src.data()), static_cast<int32_t>(src.size()),
                     "", &status);
  }
  if (U_FAILURE(status)) throw std::runtime_error("py::lower: ICU u_strToLower failed");
  dst.resize(static_cast<size_t>(n));
  return encode(from_utf16(dst));
}

std::vector<std::string> split(std::string_view s) {
  const std::u32string t = decode(s);
  std::vector<std::string> out;
  size_t i = 0;
  while (i < t.size()) {
    while (i < t.size() && isspace(t[i])) ++i;
    if (i >= t.size()) break;
    size_t j = i;
    while (j < t.size() && !isspace(t[j])) ++j;
    out.push_back(encode(std::u32string_view(t).substr(i, j - i)));
    i = j;
  }
  return out;
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
  if (sep.empty()) throw std::invalid_argument("py::split: empty separator");
  const std::string text = normalized(s), sp = normalized(sep);
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = text.find(sp, start);
    if (pos == std::string::npos) break;
    out.push_back(text.substr(start, pos - start));
    start = pos + sp.size();
  }
  out.push_back(text.substr(start));
  return out;
}

std::string strip(std::string_view s, std::string_view chars) {
  const std::u32string t = decode(s), set = decode(chars);
  size_t b = 0, e = t.size();
  while (b < e && in_set(t[b], set)) ++b;
  while (e > b && in_set(t[e - 1], set)) --e;
  return encode(std::u32string_view(t).substr(b, e - b));
}

std::string strip(std::string_view s) {
  const std::u32string t = decode(s);
  size_t b = 0, e = t.size();
  while (b < e && isspace(t[b])) ++b;
  while (e > b && isspace(t[e - 1])) --e;
  return encode(std::u32string_view(t).substr(b, e - b));
}

bool contains(std::string_view s, std::string_view sub) {
  return normalized(s).find(normalized(sub)) != std::string::npos;
}

size_t count(std::string_view s, std::string_view sub) {
  if (sub.empty()) return len(s) + 1;
  const std::string text = normalized(s), needle = normalized(sub);
  size_t n = 0, pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    ++n;
    pos += needle.size();
  }
  return n;
}

std::optional<std::string> first_digit_run(std::string_view s) {
  const std::u32string t = decode(s);
  size_t i = 0;
  while (i < t.size() && !isdecimal(t[i])) ++i;
  if (i == t.size()) return std::nullopt;
  size_t j = i;
  while (j < t.size() && isdecimal(t[j])) ++j;
  return encode(std::u32string_view(t).substr(i, j - i));
}

std::optional<long long> first_int(std::string_view s) {
  const std::u32string t = decode(s);
  size_t i = 0;
  while (i < t.size() && !isdecimal(t[i])) ++i;
  if (i == t.size()) return std::nullopt;
  const bool negative = i > 0 && t[i - 1] == '-';
  size_t j = i;
  while (j < t.size() && isdecimal(t[j])) ++j;
  // Accumulate negatively so that INT64_MIN fits.
  long long v = 0;
  for (size_t k = i; k < j; ++k) {
    const int d = decimal_value(t[k]);
    if (v < (std::numeric_limits<long long>::min() + d) / 10) return std::nullopt;
    v = v * 10 - d;
  }
  if (negative) return v;
  if (v == std::numeric_limits<long long>::min()) return std::nullopt;
  return -v;
}

std::optional<long long> to_int(std::string_view digits) {
  const std::u32string t = decode(digits);
  if (t.empty()) return std::nullopt;
  long long v = 0;
  for (char32_t c : t) {
    const int d = decimal_value(c);
    if (d < 0) return std::nullopt;
    if (v > (std::numeric_limits<long long>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string str(const nlohmann::json& value) {
  std::string out;
  append_str(out, value, true);
  return out;
}

std::string repr(std::string_view s) {
  const std::u32string t = decode(s);
  const bool has_single = t.find(U'\'') != std::u32string::npos;
  const bool has_double = t.find(U'"') != std::u32string::npos;
  const char32_t quote = has_single && !has_double ? U'"' : U'\'';
  std::string out(1, static_cast<char>(quote));
  for (char32_t c : t) {
    if (c == quote || c == U'\\') {
      out += '\\';
      append_utf8(out, c);
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      append_hex(out, c, 2);
    } else if (c < 0x7F || isprintable(c)) {
      append_utf8(out, c);
    } else if (c <= 0xFF) {
      out += "\\x";
      append_hex(out, c, 2);
    } else if (c <= 0xFFFF) {
      out += "\\u";
      append_hex(out, c, 4);
    } else {
      out += "\\U";
      append_hex(out, c, 8);
    }
  }
  out += static_cast<char>(quote);
  return out;
}

}  // namespace trustllm::py
