// Python-compatible case-insensitive whole-word keyword search (see keywords.hpp).
#include "keywords.hpp"

#include "trustllm_metrics/pytext.hpp"

namespace trustllm::robustness {

namespace {

// How Python's sre compares a text character against an ASCII pattern letter under
// re.IGNORECASE: the simple lower-case mapping of the character, plus sre's extra equivalences
// for ASCII letters (i ~ U+0131 dotless i, s ~ U+017F long s). U+0130 and U+212A lower-case to
// 'i' and 'k'. Any other character is compared as it is.
char32_t fold(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c - U'A' + U'a';
  switch (c) {
    case 0x0130:  // LATIN CAPITAL LETTER I WITH DOT ABOVE
    case 0x0131:  // LATIN SMALL LETTER DOTLESS I
      return U'i';
    case 0x017F:  // LATIN SMALL LETTER LONG S
      return U's';
    case 0x212A:  // KELVIN SIGN
      return U'k';
    default:
      return c;
  }
}

bool word_at(const std::u32string& t, size_t i) {
  return i < t.size() && py::isword(t[i]);
}

// \b at position i: exactly one of t[i-1], t[i] is a word character.
bool boundary(const std::u32string& t, size_t i) {
  const bool before = i > 0 && word_at(t, i - 1);
  return before != word_at(t, i);
}

bool matches_at(const std::u32string& t, size_t i, const std::u32string& kw) {
  if (i + kw.size() > t.size()) return false;
  for (size_t k = 0; k < kw.size(); ++k)
    if (fold(t[i + k]) != kw[k]) return false;
  return true;
}

}  // namespace

bool match_words(std::string_view text, const std::vector<std::string>& keywords) {
  const std::u32string t = py::decode(text);
  for (const std::string& keyword : keywords) {
    std::u32string kw = py::decode(keyword);
    for (char32_t& c : kw) c = fold(c);
    if (kw.empty()) continue;
    for (size_t i = 0; i + kw.size() <= t.size(); ++i) {
      if (boundary(t, i) && matches_at(t, i, kw) && boundary(t, i + kw.size())) return true;
    }
  }
  return false;
}

bool match_substrings(std::string_view text, const std::vector<std::string>& keywords) {
  for (const std::string& keyword : keywords)
    if (py::contains(text, keyword)) return true;
  return false;
}

}  // namespace trustllm::robustness
