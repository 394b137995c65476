// Unit tests of trustllm::stats (stats.hpp). Expected values come from CPython 3.11 (round,
// statistics.mean, statistics.correlation) and closed forms of the chi-square tail
// (dof 1: erfc(sqrt(x/2)); dof 2: exp(-x/2); dof 4: exp(-x/2)(1 + x/2)).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "trustllm_metrics/stats.hpp"

namespace st = trustllm::stats;

TEST_CASE("py_round: exact binary value, ties to even") {
  CHECK(st::py_round(0.5355, 3) == 0.535);
  CHECK(st::py_round(2.675, 2) == 2.67);
  CHECK(st::py_round(0.125, 2) == 0.12);  // exact tie -> even
  CHECK(st::py_round(0.375, 2) == 0.38);
  CHECK(st::py_round(0.1235, 3) == 0.123);
  CHECK(st::py_round(0.8545, 3) == 0.855);
  CHECK(st::py_round(2.5, 0) == 2.0);
  CHECK(st::py_round(3.5, 0) == 4.0);
  CHECK(st::py_round(-0.0005, 3) == -0.001);
  CHECK(st::py_round(1.0 / 3.0, 3) == 0.333);
  CHECK(st::py_round(0.6666666666666666, 3) == 0.667);
  CHECK(st::py_round(1234.5, -1) == 1230.0);
  CHECK(st::py_round(1250.0, -2) == 1200.0);
  CHECK(st::py_round(1350.0, -2) == 1400.0);
  CHECK(st::py_round(0.0, 3) == 0.0);
  CHECK(std::isnan(st::py_round(std::numeric_limits<double>::quiet_NaN(), 3)));
}

TEST_CASE("np_round: rint on the scaled value") {
  CHECK(st::np_round(0.1235, 3) == 0.124);
  CHECK(st::np_round(0.8545, 3) == 0.854);
  CHECK(st::np_round(0.125, 2) == 0.12);
  CHECK(st::np_round(0.5, 0) == 0.0);
  CHECK(st::np_round(1.5, 0) == 2.0);
  CHECK(st::np_round(-2.5, 0) == -2.0);
  CHECK(st::np_round(1250.0, -2) == 1200.0);
}

TEST_CASE("macro_f1 with zero_division 0") {
  // per class F1: 0.5, 0.8, 2/3
  CHECK(st::macro_f1({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 0, 2}, 3) ==
        doctest::Approx(0.6555555555555556).epsilon(1e-15));
  // classes 1 and 2 never predicted (0/0 -> 0); class 2 absent entirely still counts
  CHECK(st::macro_f1({0, 0, 1, 1}, {0, 0, 0, 0}, 3) ==
        doctest::Approx(0.2222222222222222).epsilon(1e-15));
  CHECK(st::macro_f1({0, 1}, {0, 1}, 2) == 1.0);
  CHECK(st::macro_f1({}, {}, 2) == 0.0);
}

TEST_CASE("chi2_contingency_p as scipy (correction=True)") {
  // Yates: |O-E| = 5 -> 4.5, stat = 4 * 20.25 / 15 = 5.4
  CHECK(st::chi2_contingency_p({{10, 20}, {20, 10}}) ==
        doctest::Approx(0.02013675155034634).epsilon(1e-12));
  // Yates on a small table: stat 0.5
  CHECK(st::chi2_contingency_p({{3, 1}, {1, 3}}) ==
        doctest::Approx(0.4795001221869535).epsilon(1e-12));
  // |E-O| = 0: no correction, p = 1
  CHECK(st::chi2_contingency_p({{10, 10}, {10, 10}}) == doctest::Approx(1.0).epsilon(1e-15));
  // dof 2, no correction: stat = 16/3
  CHECK(st::chi2_contingency_p({{10, 20, 30}, {20, 20, 20}}) ==
        doctest::Approx(0.06948345122280151).epsilon(1e-12));
  // dof 4: stat 8.601884920634921
  CHECK(st::chi2_contingency_p({{12, 5, 7}, {3, 9, 4}, {6, 6, 10}}) ==
        doctest::Approx(0.07185839498387908).epsilon(1e-12));
  // dof 0 -> 1.0
  CHECK(st::chi2_contingency_p({{5, 7, 9}}) == 1.0);
  CHECK(st::chi2_contingency_p({{5}, {7}}) == 1.0);
  CHECK_THROWS(st::chi2_contingency_p({{0, 0}, {1, 2}}));
}

TEST_CASE("chi2_sf") {
  CHECK(st::chi2_sf(5.4, 1) == doctest::Approx(0.02013675155034634).epsilon(1e-12));
  CHECK(st::chi2_sf(3.0, 2) == doctest::Approx(std::exp(-1.5)).epsilon(1e-14));
  CHECK(st::chi2_sf(0.0, 3) == 1.0);
}

TEST_CASE("pearson (population)") {
  CHECK(*st::pearson({1, 2, 3, 4}, {2, 4, 5, 9}) ==
        doctest::Approx(0.9647638212377322).epsilon(1e-14));
  CHECK(*st::pearson({0.5, 1.5, -2.0, 3.25, 4.0}, {1.0, 0.0, 2.0, -1.0, 5.0}) ==
        doctest::Approx(0.14178180150116534).epsilon(1e-13));
  CHECK(*st::pearson({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0).epsilon(1e-15));
  CHECK_FALSE(st::pearson({1, 1, 1}, {1, 2, 3}).has_value());  // std 0
  CHECK_FALSE(st::pearson({1}, {2}).has_value());
  CHECK_FALSE(st::pearson({1, 2}, {1, 2, 3}).has_value());
}

TEST_CASE("exact_mean as statistics.mean") {
  CHECK(*st::exact_mean({1e16, 1.0, -1e16, 1.0}) == 0.5);       // naive float sum gives 0.25
  CHECK(*st::exact_mean(std::vector<double>(10, 0.1)) == 0.1);  // naive: 0.09999999999999999
  CHECK(*st::exact_mean({0.1, 0.2, 0.3}) == 0.2);               // naive: 0.20000000000000004
  CHECK(*st::exact_mean({-0.1, -0.2, -0.3}) == -0.2);
  CHECK(*st::exact_mean({5e-324, 0.0}) == 0.0);  // tie at half the smallest subnormal -> even
  CHECK(*st::exact_mean({5e-324, 5e-324, 5e-324, 0.0}) == 5e-324);
  CHECK(*st::exact_mean({1.7976931348623157e308, 1.7976931348623157e308}) ==
        1.7976931348623157e308);
  CHECK(*st::exact_mean({0.25}) == 0.25);
  CHECK(*st::exact_mean({0.0, -0.0}) == 0.0);
  CHECK_FALSE(st::exact_mean({}).has_value());
}

TEST_CASE("cosine") {
  CHECK(*st::cosine({1, 2, 3}, {4, 5, 6}) == doctest::Approx(0.9746318461970762).epsilon(1e-15));
  CHECK(*st::cosine({1, 0}, {0, 1}) == 0.0);
  CHECK(*st::cosine({2, 0}, {3, 0}) == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(*st::cosine({0, 0}, {1, 1}) == 0.0);
  CHECK_FALSE(st::cosine({1, 2}, {1}).has_value());
}
