// The bootstrap contract of a metric plugin's summary entries, checked the same way for every
// plugin (included by the unit tests of the metric plugins; doctest assertions):
//   resamples = 0: no entry has "replicates";
//   resamples = 200: every ok entry has 200 replicates (numbers or null), identical for the same
//   seed, different for another seed (unless they are all the same number, or all null); the point
//   value is unchanged and lies within [min, max] of the non-null replicates; skipped entries
//   have none.
// `run(options)` aggregates the same samples with those bootstrap options and returns the
// "metrics" array of finish().
#pragma once

#include <doctest/doctest.h>
#include <trustllm/bootstrap.hpp>
#include <trustllm/plugin.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace bootstrap_checks {

using json = nlohmann::json;

// (sample, evaluation record) of each sample, evaluated once and aggregated many times.
using Evaluated = std::vector<std::pair<json, json>>;

template <class Metric>
Evaluated evaluate_all(Metric& metric, const std::vector<json>& samples) {
  trustllm::sdk::Host host;
  trustllm::sdk::Call call(host, nullptr);
  Evaluated out;
  for (const json& s : samples) out.emplace_back(s, metric.evaluate(s, call));
  return out;
}

// The "metrics" array of one aggregation of `items` with bootstrap options `o`.
template <class Metric>
json aggregate(Metric& metric, const Evaluated& items, const trustllm::sdk::BootstrapOptions& o) {
  trustllm::sdk::Host host;
  trustllm::sdk::Call call(host, nullptr);
  auto acc = metric.begin(call);
  acc->set_bootstrap(o);
  for (const auto& [s, r] : items) acc->add(s, r, call);
  return acc->finish(call)["metrics"];
}

// Every replicate the same number, or every replicate null: another seed may give the same.
inline bool constant(const json& reps) {
  for (const json& r : reps)
    if (r != reps[0]) return false;
  return true;
}

// Returns the metrics array of the 200-resample run (seed 7) for further checks.
template <class Run>
json check_contract(Run&& run) {
  const json off = run(trustllm::sdk::BootstrapOptions{0, 7});
  const json a = run(trustllm::sdk::BootstrapOptions{200, 7});
  const json b = run(trustllm::sdk::BootstrapOptions{200, 7});
  const json c = run(trustllm::sdk::BootstrapOptions{200, 8});
  REQUIRE(off.size() == a.size());
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == c.size());
  size_t ok = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const json& e = a[i];
    INFO("entry " << e["metric"]);
    CHECK_FALSE(off[i].contains("replicates"));
    CHECK(off[i]["value"] == e["value"]);  // the point value does not change
    if (e["status"] != "ok") {
      CHECK_FALSE(e.contains("replicates"));
      continue;
    }
    ++ok;
    REQUIRE(e.contains("replicates"));
    const json& reps = e["replicates"];
    REQUIRE(reps.is_array());
    CHECK(reps.size() == 200);
    CHECK(b[i]["replicates"] == reps);
    if (!constant(reps)) CHECK(c[i]["replicates"] != reps);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const json& r : reps) {
      CHECK((r.is_number() || r.is_null()));
      if (!r.is_number()) continue;
      lo = std::min(lo, r.get<double>());
      hi = std::max(hi, r.get<double>());
    }
    if (lo <= hi && e["value"].is_number()) {
      const double v = e["value"].get<double>();
      CHECK(lo <= v);
      CHECK(v <= hi);
    }
  }
  CHECK(ok > 0);
  return a;
}

// Every entry of a run whose entries are all skipped (or partly): skipped ones carry no
// replicates even with the bootstrap on.
inline void check_skipped_have_none(const json& metrics) {
  size_t skipped = 0;
  for (const json& e : metrics) {
    if (e["status"] == "ok") continue;
    ++skipped;
    INFO("entry " << e["metric"]);
    CHECK_FALSE(e.contains("replicates"));
  }
  CHECK(skipped > 0);
}

// Prints (does not assert) how long 1000 resamples take: the run with the bootstrap on minus
// the same run with it off.
template <class Run>
void print_timing(const char* what, Run&& run) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  run(trustllm::sdk::BootstrapOptions{0, 1});
  const auto t1 = clock::now();
  run(trustllm::sdk::BootstrapOptions{1000, 1});
  const auto t2 = clock::now();
  const double off = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double on = std::chrono::duration<double, std::milli>(t2 - t1).count();
  std::printf(
      "[bootstrap timing] %s: aggregation %.1f ms without, %.1f ms with 1000 resamples "
      "(+%.1f ms)\n",
      what, off, on, on - off);
}

}  // namespace bootstrap_checks
