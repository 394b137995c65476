// Bootstrap replicates for metric entries (see sdk/include/trustllm/bootstrap.hpp): several
// statistics computed on the same resamples, and the "replicates" key of a summary entry.
//
//   // units: the pairs of one task; three entries from one pass over the resamples
//   std::vector<json> reps = bootstrap_many(pairs.size(), 3, bootstrap(),
//       [&](const sdk::Counts& c, double* out) { out[0] = ...; out[1] = ...; out[2] = ...; });
//   add_replicates(acc_entry, std::move(reps[0]), bootstrap());
#pragma once

#include <trustllm/bootstrap.hpp>

#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace trustllm::metrics {

using json = nlohmann::json;

// `options.resamples` nulls: the replicates of an entry whose statistic has no unit to draw.
inline json null_replicates(const sdk::BootstrapOptions& options) {
  json out = json::array();
  for (uint32_t b = 0; b < options.resamples; ++b) out.push_back(nullptr);
  return out;
}

// k statistics on each of `options.resamples` resamples of `n_units` units: `stat(counts, out)`
// writes the k values of one resample into out[0..k). Returns k JSON arrays (NaN or infinite
// values become null); the draws are those of sdk::bootstrap_replicates, so each array equals
// what bootstrap_replicates gives for that statistic alone. No unit: k arrays of nulls.
// resamples == 0: k empty arrays.
template <class Stat>
std::vector<json> bootstrap_many(size_t n_units, size_t k, const sdk::BootstrapOptions& options,
                                 Stat&& stat) {
  std::vector<json> out(k, json::array());
  if (options.resamples == 0 || k == 0) return out;
  if (n_units == 0) {
    for (json& a : out) a = null_replicates(options);
    return out;
  }
  std::vector<double> values(static_cast<size_t>(options.resamples) * k);
  size_t b = 0;
  sdk::bootstrap_replicates(n_units, options, [&](const sdk::Counts& counts) {
    stat(counts, values.data() + b * k);
    ++b;
    return 0.0;
  });
  for (size_t j = 0; j < k; ++j) {
    json& a = out[j];
    for (size_t r = 0; r < b; ++r) {
      const double v = values[r * k + j];
      if (std::isfinite(v)) {
        a.push_back(v);
      } else {
        a.push_back(nullptr);
      }
    }
  }
  return out;
}

// One statistic: bootstrap_many with k = 1.
template <class Stat>
json bootstrap_one(size_t n_units, const sdk::BootstrapOptions& options, Stat&& stat) {
  return std::move(bootstrap_many(n_units, 1, options,
                                  [&](const sdk::Counts& c, double* out) { out[0] = stat(c); })[0]);
}

// Sets entry["replicates"] when the bootstrap is on and the entry's status is "ok".
inline void add_replicates(json& entry, json replicates, const sdk::BootstrapOptions& options) {
  if (options.resamples == 0 || !entry.is_object() || entry.value("status", "") != "ok") return;
  entry["replicates"] = std::move(replicates);
}

}  // namespace trustllm::metrics
