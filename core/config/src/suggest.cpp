#include <trustllm/config/suggest.hpp>

#include <algorithm>
#include <cctype>
#include <limits>

namespace trustllm::config {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string w = lower(word);
  if (w.empty()) return "";
  const std::size_t max_distance = w.size() <= 1 ? 0 : w.size() <= 3 ? 1 : 2;
  std::string best;
  std::size_t best_score = std::numeric_limits<std::size_t>::max();
  for (const auto& cand : candidates) {
    const std::string c = lower(cand);
    if (c.empty()) continue;
    const std::size_t d = edit_distance(w, c);
    const std::string& shorter = w.size() <= c.size() ? w : c;
    const std::string& longer = w.size() <= c.size() ? c : w;
    const bool prefix = shorter.size() >= 3 && longer.compare(0, shorter.size(), shorter) == 0;
    if (d > max_distance && !prefix) continue;
    // Rank close spellings before prefix matches, then by distance.
    const std::size_t score = (d <= max_distance ? 0 : 1000) + d;
    if (score < best_score) {
      best_score = score;
      best = cand;
    }
  }
  return best;
}

}  // namespace trustllm::config
