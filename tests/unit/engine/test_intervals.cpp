// core/engine intervals: replicates -> ci95, derived replicates, and the whole chain (SDK
// resampler + host percentile) on a binomial case with a known interval width.
#include <doctest/doctest.h>
#include <trustllm/bootstrap.hpp>
#include <trustllm/engine/derived.hpp>
#include <trustllm/engine/intervals.hpp>

#include <cmath>
#include <vector>

using json = nlohmann::json;
using namespace trustllm::engine;

TEST_CASE("percentile interval: numpy linear percentiles of 0..100") {
  json r = json::array();
  for (int i = 0; i <= 100; ++i) r.push_back(i);
  auto ci = percentile_interval(r, 50.0);
  REQUIRE(ci);
  CHECK(ci->first == doctest::Approx(2.5));  // numpy.percentile(range(101), 2.5)
  CHECK(ci->second == doctest::Approx(97.5));
}

TEST_CASE("percentile interval: widened to contain the value; nulls ignored; too few -> none") {
  json r = json::array();
  for (int i = 0; i < 40; ++i) r.push_back(0.5 + 0.001 * i);
  auto ci = percentile_interval(r, 0.2);
  REQUIRE(ci);
  CHECK(ci->first == 0.2);
  CHECK(ci->second > 0.5);

  json mostly_null = json::array();
  for (int i = 0; i < 40; ++i) mostly_null.push_back(i < 15 ? json(0.5) : json(nullptr));
  CHECK_FALSE(percentile_interval(mostly_null, 0.5));
  CHECK_FALSE(percentile_interval(json::array({0.1, 0.2, 0.3}), 0.2));
  CHECK_FALSE(percentile_interval(json("x"), 0.2));
}

TEST_CASE("attach_interval: ok entries get ci95, every entry loses replicates") {
  json reps = json::array();
  for (int i = 0; i < 100; ++i) reps.push_back(0.4 + 0.002 * i);
  json ok{{"metric", "rta"}, {"value", 0.5}, {"status", "ok"}, {"replicates", reps}};
  attach_interval(ok);
  CHECK_FALSE(ok.contains("replicates"));
  REQUIRE(ok.contains("ci95"));
  CHECK(ok["ci95"][0].get<double>() <= 0.5);
  CHECK(ok["ci95"][1].get<double>() >= 0.5);

  json skipped{{"metric", "rta"}, {"value", nullptr}, {"status", "skipped"}, {"replicates", reps}};
  attach_interval(skipped);
  CHECK_FALSE(skipped.contains("replicates"));
  CHECK_FALSE(skipped.contains("ci95"));

  json none{{"metric", "rta"}, {"value", 0.5}, {"status", "ok"}};
  attach_interval(none);
  CHECK_FALSE(none.contains("ci95"));
}

TEST_CASE("binomial proportion: the interval has the normal-approximation width") {
  // n = 1000 items, 300 refused: p = 0.3, standard error sqrt(p(1-p)/n) = 0.01449, so the 95%
  // interval is about 2 * 1.96 * 0.01449 = 0.0568 wide.
  std::vector<double> v(1000, 0.0);
  for (int i = 0; i < 300; ++i) v[i] = 1.0;
  const json reps = trustllm::sdk::bootstrap_mean(v, {2000, 20261128});
  auto ci = percentile_interval(reps, 0.3);
  REQUIRE(ci);
  const double expected = 2 * 1.959964 * std::sqrt(0.3 * 0.7 / 1000);
  CHECK(ci->second - ci->first == doctest::Approx(expected).epsilon(0.08));
  CHECK(ci->first < 0.3);
  CHECK(ci->second > 0.3);
  // Same seed, same interval.
  auto again = percentile_interval(trustllm::sdk::bootstrap_mean(v, {2000, 20261128}), 0.3);
  CHECK(again == ci);
}

TEST_CASE("bootstrap seeds differ by task and metric and are stable") {
  CHECK(bootstrap_seed(0, "jailbreak", "0:refusal_rate") ==
        bootstrap_seed(0, "jailbreak", "0:refusal_rate"));
  CHECK(bootstrap_seed(0, "jailbreak", "0:refusal_rate") !=
        bootstrap_seed(0, "misuse", "0:refusal_rate"));
  CHECK(bootstrap_seed(0, "jailbreak", "0:refusal_rate") !=
        bootstrap_seed(1, "jailbreak", "0:refusal_rate"));
}

TEST_CASE("derived metrics average their parts' replicates") {
  DerivedMetric d;
  d.metric = "avg";
  d.mean_of = {"a", "b"};
  json entries = json::array(
      {{{"metric", "a"}, {"value", 0.2}, {"n", 10}, {"status", "ok"},
        {"replicates", json::array({0.1, 0.3, nullptr})}},
       {{"metric", "b"}, {"value", 0.4}, {"n", 10}, {"status", "ok"},
        {"replicates", json::array({0.5, 0.5, 0.5})}}});
  json e = derive_metric(d, entries, "truthfulness", "t");
  CHECK(e["value"].get<double>() == doctest::Approx(0.3));
  REQUIRE(e.contains("replicates"));
  CHECK(e["replicates"][0].get<double>() == doctest::Approx(0.3));
  CHECK(e["replicates"][1].get<double>() == doctest::Approx(0.4));
  CHECK(e["replicates"][2].is_null());

  // A part without replicates: no replicates (so no interval) for the mean.
  entries[1].erase("replicates");
  CHECK_FALSE(derive_metric(d, entries, "truthfulness", "t").contains("replicates"));
  // Parts of different lengths: none either.
  entries[1]["replicates"] = json::array({0.5});
  CHECK_FALSE(derive_metric(d, entries, "truthfulness", "t").contains("replicates"));
}
