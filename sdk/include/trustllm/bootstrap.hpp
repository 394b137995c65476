// trustllm plugin SDK — seeded percentile bootstrap for metric plugins (header-only).
//
// A metric whose accumulator sees `bootstrap().resamples > 0` recomputes its statistic on that
// many resamples of its units (items, or pairs for paired metrics) and adds the results to its
// summary entry as "replicates"; the host turns them into "ci95". A resample draws n units with
// replacement from the n units; it is described by `counts` (how often each unit was drawn), so
// a statistic is a weighted version of the plain one:
//
//   std::vector<double> correct = ...;              // 1 or 0 per item
//   entry["replicates"] = sdk::bootstrap_mean(correct, bootstrap());
//
//   entry["replicates"] = sdk::bootstrap_replicates(pairs.size(), bootstrap(),
//       [&](const sdk::Counts& c) { return my_statistic(pairs, c); });
//
// The draws depend only on (seed, number of units), so a fixed seed gives identical intervals on
// every platform: the generator is xoshiro256** seeded through SplitMix64 (both fully defined
// below, so no library's choice can change the sequence) with an unbiased bounded draw. It is
// about four times faster than std::mt19937_64, which matters at 1,000 resamples of 50,000 units.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace trustllm::sdk {

// What the host asks for (ABI 1.1 aggregate_configure); resamples == 0 means no bootstrap.
struct BootstrapOptions {
  uint32_t resamples = 0;
  uint64_t seed = 0;
};

// counts[i] = how many times unit i was drawn in one resample; the counts sum to the unit count.
using Counts = std::vector<uint32_t>;

// The resampler's generator: xoshiro256** 1.0 (Blackman and Vigna), its 256-bit state filled
// from the 64-bit seed by SplitMix64. Deterministic on every platform and compiler.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      word = z ^ (z >> 31);
    }
  }
  uint64_t operator()() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

namespace detail {

// Uniform integer in [0, n) without bias (n > 0): Lemire's multiply-shift with rejection, which
// needs a division only in the rare case that a rejection is possible.
inline uint64_t bounded_draw(Rng& rng, uint64_t n) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

}  // namespace detail

// Calls `stat(counts)` for each of `options.resamples` resamples of `n_units` units and returns
// the results as a JSON array; a NaN or infinite result (statistic undefined on that resample,
// e.g. no positive label drawn) is stored as null. Returns an empty array when n_units == 0 or
// resamples == 0.
template <class Stat>
nlohmann::json bootstrap_replicates(size_t n_units, const BootstrapOptions& options, Stat&& stat) {
  nlohmann::json out = nlohmann::json::array();
  if (n_units == 0 || options.resamples == 0) return out;
  Rng rng(options.seed);
  Counts counts(n_units);
  for (uint32_t b = 0; b < options.resamples; ++b) {
    std::fill(counts.begin(), counts.end(), 0u);
    for (size_t k = 0; k < n_units; ++k) ++counts[detail::bounded_draw(rng, n_units)];
    const double v = stat(static_cast<const Counts&>(counts));
    if (std::isfinite(v)) {
      out.push_back(v);
    } else {
      out.push_back(nullptr);
    }
  }
  return out;
}

// Replicates of the mean of per-unit values.
inline nlohmann::json bootstrap_mean(const std::vector<double>& values,
                                     const BootstrapOptions& options) {
  return bootstrap_replicates(values.size(), options, [&](const Counts& c) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += c[i] * values[i];
    return sum / static_cast<double>(values.size());
  });
}

// Replicates of sum(numerator) / sum(denominator) over units (a rate whose units carry their
// own weights). NaN (stored as null) when a resample's denominator is 0.
inline nlohmann::json bootstrap_ratio(const std::vector<double>& numerator,
                                      const std::vector<double>& denominator,
                                      const BootstrapOptions& options) {
  return bootstrap_replicates(numerator.size(), options, [&](const Counts& c) {
    double num = 0, den = 0;
    for (size_t i = 0; i < numerator.size(); ++i) {
      num += c[i] * numerator[i];
      den += c[i] * denominator[i];
    }
    return den == 0 ? std::nan("") : num / den;
  });
}

// The same statistic on every resample of a list of units with per-unit weights: expands counts
// into the list of drawn unit indices (for statistics that are easier to write over a sample,
// e.g. a median or a correlation on the drawn pairs).
inline std::vector<size_t> drawn_indices(const Counts& counts) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < counts.size(); ++i) {
    for (uint32_t k = 0; k < counts[i]; ++k) idx.push_back(i);
  }
  return idx;
}

}  // namespace trustllm::sdk
