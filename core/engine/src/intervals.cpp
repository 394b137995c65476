#include <trustllm/engine/intervals.hpp>
#include <trustllm/util/seed.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace trustllm::engine {

using json = nlohmann::json;

uint64_t bootstrap_seed(uint64_t run_seed, std::string_view task, std::string_view metric_key) {
  return util::item_seed(run_seed, "bootstrap:" + std::string(task), metric_key);
}

namespace {

// numpy.percentile(..., method="linear") on sorted data, q in [0, 1].
double quantile_sorted(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return v[lo] + (v[hi] - v[lo]) * frac;
}

}  // namespace

std::optional<std::pair<double, double>> percentile_interval(const json& replicates,
                                                             double value) {
  if (!replicates.is_array()) return std::nullopt;
  std::vector<double> v;
  v.reserve(replicates.size());
  for (const json& r : replicates) {
    if (r.is_number()) {
      const double d = r.get<double>();
      if (std::isfinite(d)) v.push_back(d);
    }
  }
  if (v.size() < 10 || v.size() * 2 < replicates.size()) return std::nullopt;
  std::sort(v.begin(), v.end());
  double lo = quantile_sorted(v, 0.025);
  double hi = quantile_sorted(v, 0.975);
  lo = std::min(lo, value);
  hi = std::max(hi, value);
  return std::make_pair(lo, hi);
}

void attach_interval(json& entry) {
  if (!entry.is_object()) return;
  auto it = entry.find("replicates");
  if (it == entry.end()) return;
  if (entry.value("status", std::string()) == "ok" && entry.contains("value") &&
      entry["value"].is_number()) {
    if (auto ci = percentile_interval(*it, entry["value"].get<double>())) {
      entry["ci95"] = json::array({ci->first, ci->second});
    }
  }
  entry.erase("replicates");
}

json mean_of_replicates(const std::vector<const json*>& parts) {
  if (parts.empty()) return json::array();
  size_t len = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    const json* r = parts[p];
    if (!r || !r->is_array() || r->empty()) return json::array();
    if (p == 0) len = r->size();
    if (r->size() != len) return json::array();
  }
  json out = json::array();
  for (size_t b = 0; b < len; ++b) {
    double sum = 0;
    bool defined = true;
    for (const json* r : parts) {
      const json& x = (*r)[b];
      if (!x.is_number()) {
        defined = false;
        break;
      }
      sum += x.get<double>();
    }
    if (defined) {
      out.push_back(sum / static_cast<double>(parts.size()));
    } else {
      out.push_back(nullptr);
    }
  }
  return out;
}

}  // namespace trustllm::engine
