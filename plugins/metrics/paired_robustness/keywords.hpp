// Keyword matching with the semantics of the TrustLLM toolkit's AdvGLUE answer parser (spec §5,
// §6.4), without std::regex:
//   * ASCII keywords behave like Python's re.search(r'\b(?:k1|k2)\b', text, re.IGNORECASE) on a
//     str: case-insensitive with Python's Unicode rules for ASCII letters (U+017F ſ matches s,
//     U+212A K matches k, U+0131 ı and U+0130 İ match i), and \b is the Unicode word boundary
//     (a word character is alphanumeric in Unicode, or '_').
//   * Chinese keywords are plain substrings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trustllm::robustness {

// Whether any keyword (ASCII) occurs in `text` (UTF-8) between word boundaries, ignoring case.
bool match_words(std::string_view text, const std::vector<std::string>& keywords);
// Whether any keyword occurs in `text` as a substring.
bool match_substrings(std::string_view text, const std::vector<std::string>& keywords);

}  // namespace trustllm::robustness
