// Python `str` semantics on UTF-8 text, as the TrustLLM toolkit's parsers rely on them
// (spec §5). Every function takes and returns UTF-8; invalid UTF-8 bytes decode as U+FFFD.
// Character classes follow Python 3.11 (Unicode data from ICU, whose version may be newer):
//   isalpha   general category Lu, Ll, Lt, Lm, Lo
//   isdecimal general category Nd (what `\d` matches and `int()` accepts)
//   isspace   exactly U+0009–U+000D, U+001C–U+001F, U+0020, U+0085, U+00A0, U+1680,
//             U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
//   isword    `\w`: isalnum() (alpha, or any character with a numeric value) or '_'
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::py {

std::u32string decode(std::string_view utf8);
std::string encode(std::u32string_view text);

bool isalpha(char32_t c);
bool isdecimal(char32_t c);
bool isspace(char32_t c);
bool isword(char32_t c);
// The digit value 0–9 of an isdecimal() character, else -1.
int decimal_value(char32_t c);

// len(s): the number of code points.
size_t len(std::string_view s);

// s.lower(): full Unicode lower-casing (U+0130 -> "i\u0307", U+212A -> "k").
std::string lower(std::string_view s);

// s.split(): runs of Unicode whitespace separate tokens; no empty tokens.
std::vector<std::string> split(std::string_view s);
// s.split(sep) with a non-empty separator: keeps empty tokens.
std::vector<std::string> split(std::string_view s, std::string_view sep);

// s.strip(chars): removes any code point of `chars` from both ends.
std::string strip(std::string_view s, std::string_view chars);
// s.strip(): removes Unicode whitespace from both ends.
std::string strip(std::string_view s);

// sub in s (byte-wise on UTF-8 is exact for code-point substrings).
bool contains(std::string_view s, std::string_view sub);
// s.count(sub): non-overlapping occurrences; count of "" is len(s) + 1 as in Python.
size_t count(std::string_view s, std::string_view sub);

// re.search(r'\d+', s).group(): the first run of Unicode decimal digits, as UTF-8.
std::optional<std::string> first_digit_run(std::string_view s);
// re.search(r'-?\d+', s) then int(): the value of the first (optionally negative) integer.
// nullopt when there is none or it does not fit in int64.
std::optional<long long> first_int(std::string_view s);
// int(digits) for a string of Unicode decimal digits (no sign, no spaces); nullopt otherwise.
std::optional<long long> to_int(std::string_view digits);

// Keeps only the code points for which `keep` is true.
template <class Pred>
std::string filter(std::string_view s, Pred keep) {
  std::u32string in = decode(s), out;
  out.reserve(in.size());
  for (char32_t c : in)
    if (keep(c)) out.push_back(c);
  return encode(out);
}

// Python str() of a JSON value as the toolkit substitutes item fields into judge prompts:
// strings as they are; lists as ['a', 'b'] (elements in repr form); null as None; true/false
// as True/False; integers in decimal; floats as Python's repr; objects as {'k': v}.
std::string str(const nlohmann::json& value);
// Python repr() of a string: single quotes, or double quotes when it holds a ' and no ".
std::string repr(std::string_view s);

}  // namespace trustllm::py
