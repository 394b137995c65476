// "Did you mean" suggestions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::config {

// Levenshtein edit distance (exact, case-sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` (case-insensitive), or "" when none is close: close means an
// edit distance of at most 2 (1 for words of 2-3 characters), or one being a prefix of the other
// (the shorter having at least 3 characters).
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace trustllm::config
