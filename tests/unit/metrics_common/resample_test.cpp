// Unit tests of the bootstrap helpers: the weighted Pearson and crosstab chi-square p-value
// (stats.hpp; a weight w[i] is how often a resample drew unit i) against the plain functions on
// the expanded sample, and resample.hpp (several statistics on the same resamples).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "trustllm_metrics/resample.hpp"
#include "trustllm_metrics/stats.hpp"

namespace st = trustllm::stats;
namespace mt = trustllm::metrics;
namespace sdk = trustllm::sdk;
using json = nlohmann::json;

TEST_CASE("weighted_pearson: weights 1 give pearson() bit for bit") {
  const std::vector<double> x{1, 2, 3, 4}, y{2, 4, 5, 9};
  CHECK(st::weighted_pearson(x, y, {1, 1, 1, 1}) == *st::pearson(x, y));
  const std::vector<double> a{0.5, 1.5, -2.0, 3.25, 4.0}, b{1.0, 0.0, 2.0, -1.0, 5.0};
  CHECK(st::weighted_pearson(a, b, {1, 1, 1, 1, 1}) == *st::pearson(a, b));
  CHECK(st::weighted_pearson(a, b, {1, 1, 1, 1, 1}) ==
        doctest::Approx(0.14178180150116534).epsilon(1e-13));
}

TEST_CASE("weighted_pearson: a weight repeats the pair, weight 0 drops it") {
  const std::vector<double> x{0.5, 1.5, -2.0, 3.25, 4.0}, y{1.0, 0.0, 2.0, -1.0, 5.0};
  // expanded: pair 0 three times, pair 2 once, pair 4 twice
  const double expanded = *st::pearson({0.5, 0.5, 0.5, -2.0, 4.0, 4.0}, {1, 1, 1, 2, 5, 5});
  CHECK(st::weighted_pearson(x, y, {3, 0, 1, 0, 2}) == doctest::Approx(expanded).epsilon(1e-14));
  // statistics.correlation([1, 1, 2, 3], [2, 2, 4, 5]) = 0.9864400504156211
  CHECK(st::weighted_pearson({1, 2, 3, 9}, {2, 4, 5, 0}, {2, 1, 1, 0}) ==
        doctest::Approx(0.9864400504156211).epsilon(1e-14));
}

TEST_CASE("weighted_pearson: NaN where the correlation is undefined") {
  const std::vector<double> x{1, 2, 3}, y{3, 1, 2};
  CHECK(std::isnan(st::weighted_pearson(x, y, {3, 0, 0})));  // one distinct pair
  CHECK(std::isnan(st::weighted_pearson(x, y, {1, 0, 0})));  // one pair
  CHECK(std::isnan(st::weighted_pearson(x, y, {0, 0, 0})));
  CHECK(std::isnan(st::weighted_pearson({1, 1, 2}, {1, 2, 3}, {1, 2, 0})));  // drawn x constant
  CHECK(std::isnan(st::weighted_pearson({1, 2, 3}, {4, 4, 5}, {1, 1, 0})));  // drawn y constant
  CHECK(std::isnan(st::weighted_pearson(x, y, {1, 1})));                     // sizes differ
  // constant x whose float mean is inexact: still NaN, not a rounding artefact
  CHECK(std::isnan(st::weighted_pearson({0.1, 0.1, 0.1}, {1, 2, 3}, {1, 1, 1})));
}

TEST_CASE("crosstab_chi2_p: the observed table of the drawn items") {
  // items of a 2 x 2 table {{10, 20}, {20, 10}}
  std::vector<uint32_t> row, col;
  auto add = [&](uint32_t r, uint32_t c, int n) {
    for (int i = 0; i < n; ++i) {
      row.push_back(r);
      col.push_back(c);
    }
  };
  add(0, 0, 10);
  add(0, 1, 20);
  add(1, 0, 20);
  add(1, 1, 10);
  const std::vector<uint32_t> ones(row.size(), 1);
  CHECK(st::crosstab_chi2_p(row, col, ones, 2, 2) == st::chi2_contingency_p({{10, 20}, {20, 10}}));
  // unobserved column 2 and row 2 are left out, as pandas.crosstab
  CHECK(st::crosstab_chi2_p(row, col, ones, 3, 4) == st::chi2_contingency_p({{10, 20}, {20, 10}}));
  // weights: every item of cell (0, 0) twice, the others once -> {{20, 20}, {20, 10}}
  std::vector<uint32_t> w = ones;
  for (size_t i = 0; i < 10; ++i) w[i] = 2;
  CHECK(st::crosstab_chi2_p(row, col, w, 2, 2) == st::chi2_contingency_p({{20, 20}, {20, 10}}));
  // only row 0 drawn: one row, dof 0 -> p = 1 (scipy)
  std::vector<uint32_t> only_row0(row.size(), 0);
  for (size_t i = 0; i < 30; ++i) only_row0[i] = 1;
  CHECK(st::crosstab_chi2_p(row, col, only_row0, 2, 2) == 1.0);
  // 3 x 3 with dof 4
  std::vector<uint32_t> r3, c3;
  const double t[3][3] = {{12, 5, 7}, {3, 9, 4}, {6, 6, 10}};
  for (uint32_t r = 0; r < 3; ++r)
    for (uint32_t c = 0; c < 3; ++c)
      for (int k = 0; k < static_cast<int>(t[r][c]); ++k) {
        r3.push_back(r);
        c3.push_back(c);
      }
  CHECK(st::crosstab_chi2_p(r3, c3, std::vector<uint32_t>(r3.size(), 1), 3, 3) ==
        doctest::Approx(0.07185839498387908).epsilon(1e-12));
}

TEST_CASE("crosstab_chi2_p: NaN without drawn items or with a bad index") {
  CHECK(std::isnan(st::crosstab_chi2_p({0, 1}, {0, 1}, {0, 0}, 2, 2)));
  CHECK(std::isnan(st::crosstab_chi2_p({}, {}, {}, 2, 2)));
  CHECK(std::isnan(st::crosstab_chi2_p({0, 2}, {0, 1}, {1, 1}, 2, 2)));
  CHECK(std::isnan(st::crosstab_chi2_p({0, 1}, {0, 1}, {1}, 2, 2)));
}

TEST_CASE("bootstrap_many: the draws of sdk::bootstrap_replicates, k statistics at once") {
  const std::vector<double> v{0.1, 0.7, 0.2, 0.9, 0.4, 0.0, 1.0};
  const sdk::BootstrapOptions o{150, 42};
  const std::vector<json> many =
      mt::bootstrap_many(v.size(), 3, o, [&](const sdk::Counts& c, double* out) {
        double sum = 0, drawn_first = 0;
        for (size_t i = 0; i < v.size(); ++i) sum += c[i] * v[i];
        drawn_first = c[0];
        out[0] = sum / static_cast<double>(v.size());
        out[1] = drawn_first;
        out[2] = drawn_first > 0 ? 1.0 : std::nan("");  // NaN -> null
      });
  REQUIRE(many.size() == 3);
  CHECK(many[0] == sdk::bootstrap_mean(v, o));
  CHECK(many[1] == sdk::bootstrap_replicates(v.size(), o, [](const sdk::Counts& c) {
          return static_cast<double>(c[0]);
        }));
  REQUIRE(many[2].size() == 150);
  for (size_t b = 0; b < 150; ++b) CHECK(many[2][b].is_null() == (many[1][b] == 0.0));
  CHECK(mt::bootstrap_one(v.size(), o, [&](const sdk::Counts& c) {
          double sum = 0;
          for (size_t i = 0; i < v.size(); ++i) sum += c[i] * v[i];
          return sum / static_cast<double>(v.size());
        }) == many[0]);
}

TEST_CASE("bootstrap_many: no unit gives nulls, no resample gives empty arrays") {
  auto stat = [](const sdk::Counts&, double* out) { out[0] = out[1] = 1.0; };
  std::vector<json> none = mt::bootstrap_many(0, 2, sdk::BootstrapOptions{5, 1}, stat);
  REQUIRE(none.size() == 2);
  CHECK(none[0] == json::array({nullptr, nullptr, nullptr, nullptr, nullptr}));
  CHECK(none[1] == none[0]);
  std::vector<json> off = mt::bootstrap_many(4, 2, sdk::BootstrapOptions{0, 1}, stat);
  CHECK(off[0] == json::array());
  CHECK(mt::null_replicates(sdk::BootstrapOptions{2, 0}) == json::array({nullptr, nullptr}));
}

TEST_CASE("add_replicates: ok entries only, and only when the bootstrap is on") {
  json ok{{"metric", "m"}, {"value", 0.5}, {"status", "ok"}};
  json skipped{{"metric", "m"}, {"value", nullptr}, {"status", "skipped"}};
  mt::add_replicates(ok, json::array({0.4, 0.6}), sdk::BootstrapOptions{2, 1});
  mt::add_replicates(skipped, json::array({0.4, 0.6}), sdk::BootstrapOptions{2, 1});
  CHECK(ok["replicates"] == json::array({0.4, 0.6}));
  CHECK_FALSE(skipped.contains("replicates"));
  json off{{"metric", "m"}, {"value", 0.5}, {"status", "ok"}};
  mt::add_replicates(off, json::array(), sdk::BootstrapOptions{0, 1});
  CHECK_FALSE(off.contains("replicates"));
}
