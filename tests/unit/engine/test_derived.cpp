// Derived metrics (core/engine/derived.hpp): the mean of other metrics of the same task.
#include <doctest/doctest.h>
#include <trustllm/engine/derived.hpp>

using trustllm::engine::derive_metric;
using trustllm::engine::DerivedMetric;
using json = nlohmann::json;

namespace {
json ok(const char* id, double v, uint64_t n) {
  return json{{"metric", id}, {"value", v}, {"n", n}, {"status", "ok"}};
}
}  // namespace

TEST_CASE("derived: mean of listed metrics, in order, with summed n") {
  json entries = json::array({ok("codah", 0.43, 100), ok("squad", 0.533, 90),
                              ok("adversarial", 0.462, 80), ok("hotpot", 0.568, 95),
                              ok("unrelated", 0.99, 1)});
  DerivedMetric d{"avg", {"codah", "squad", "adversarial", "hotpot"}, "higher_is_better"};
  json e = derive_metric(d, entries, "truthfulness", "misinformation_internal");
  CHECK(e["status"] == "ok");
  // Python: (0.43 + 0.533 + 0.462 + 0.568) / 4, summed left to right.
  CHECK(e["value"].get<double>() == ((0.43 + 0.533) + 0.462 + 0.568) / 4);
  CHECK(e["value"].get<double>() == 0.49824999999999997);
  CHECK(e["n"] == 365);
  CHECK(e["task"] == "misinformation_internal");
  CHECK(e["dimension"] == "truthfulness");
  CHECK(e["direction"] == "higher_is_better");
}

TEST_CASE("derived: a missing or skipped part makes the mean skipped with a reason") {
  json skipped{{"metric", "force_rta"}, {"value", nullptr}, {"n", 0}, {"status", "skipped"}};
  json entries = json::array({ok("plain_rta", 0.5, 120), skipped});
  json e = derive_metric({"overall", {"plain_rta", "force_rta"}, "higher_is_better"}, entries,
                         "fairness", "preference");
  CHECK(e["status"] == "skipped");
  CHECK(e["value"].is_null());
  CHECK(e["reason"].get<std::string>().find("force_rta (skipped)") != std::string::npos);

  json e2 = derive_metric({"overall", {"plain_rta", "nope"}, "lower_is_better"}, entries, "f", "t");
  CHECK(e2["status"] == "skipped");
  CHECK(e2["reason"].get<std::string>().find("nope (not reported)") != std::string::npos);
  CHECK(e2["direction"] == "lower_is_better");
}
