// Tests of the leaderboard's arithmetic (core/report/leaderboard.hpp): metric ranks with ties
// from intervals and without, ranks of plain values, Pearson and Spearman, and the decisions of
// the baseline gate. Literal inputs with expected outputs worked out by hand.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <trustllm/report/leaderboard.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using json = nlohmann::json;
namespace rep = trustllm::report;

namespace {

rep::RankCell cell(double v) {
  return {v, std::nullopt};
}
rep::RankCell cell(double v, double lo, double hi) {
  return {v, std::array<double, 2>{lo, hi}};
}
rep::RankCell none() {
  return {};
}

std::vector<size_t> ties(const rep::Rank& r) {
  return r.tied_with;
}

}  // namespace

TEST_CASE("rank_cell reads ok entries only, ci95 when it is a pair of numbers") {
  auto c = rep::rank_cell(json{{"status", "ok"}, {"value", 0.75}, {"ci95", {0.6, 0.9}}});
  REQUIRE(c.value);
  CHECK(*c.value == 0.75);
  REQUIRE(c.ci95);
  CHECK((*c.ci95)[0] == 0.6);
  CHECK((*c.ci95)[1] == 0.9);
  CHECK_FALSE(rep::rank_cell(json{{"status", "skipped"}, {"value", 0.5}}).value);
  CHECK_FALSE(rep::rank_cell(json{{"status", "ok"}, {"value", nullptr}}).value);
  CHECK_FALSE(rep::rank_cell(json{{"status", "ok"}, {"value", "0.5"}}).value);
  CHECK_FALSE(
      rep::rank_cell(json{{"status", "ok"}, {"value", std::numeric_limits<double>::quiet_NaN()}})
          .value);
  // A malformed interval is ignored, the value stays.
  auto bad = rep::rank_cell(json{{"status", "ok"}, {"value", 0.5}, {"ci95", {0.6}}});
  CHECK(bad.value);
  CHECK_FALSE(bad.ci95);
  CHECK_FALSE(rep::rank_cell(json{{"status", "ok"}, {"value", 0.5}, {"ci95", {0.7, 0.2}}}).ci95);
}

TEST_CASE("without intervals only equal values tie; competition ranking") {
  const auto r = rep::rank_cells({cell(0.9), cell(0.8), cell(0.9), none(), cell(0.7)}, true);
  CHECK(r[0].rank == 1u);
  CHECK(r[2].rank == 1u);
  CHECK(r[1].rank == 3u);  // two models strictly better
  CHECK(r[4].rank == 4u);
  CHECK_FALSE(r[3].rank);
  CHECK(ties(r[0]) == std::vector<size_t>{2});
  CHECK(ties(r[2]) == std::vector<size_t>{0});
  CHECK(ties(r[1]).empty());
  CHECK(ties(r[3]).empty());
}

TEST_CASE("lower_is_better ranks the smallest value first") {
  const auto r = rep::rank_cells({cell(0.1), cell(0.3), cell(0.2)}, false);
  CHECK(r[0].rank == 1u);
  CHECK(r[1].rank == 3u);
  CHECK(r[2].rank == 2u);
}

TEST_CASE("overlapping 95% intervals tie, and tied models do not push each other down") {
  // A and B overlap on [0.85, 0.86]; C overlaps neither.
  const auto r =
      rep::rank_cells({cell(0.9, 0.85, 0.95), cell(0.8, 0.7, 0.86), cell(0.5, 0.4, 0.6)}, true);
  CHECK(r[0].rank == 1u);
  CHECK(r[1].rank == 1u);  // A is better but tied with it
  CHECK(r[2].rank == 3u);
  CHECK(ties(r[0]) == std::vector<size_t>{1});
  CHECK(ties(r[1]) == std::vector<size_t>{0});
  CHECK(ties(r[2]).empty());
}

TEST_CASE("ties are not transitive: A~B, B~C, A better than C") {
  const auto r =
      rep::rank_cells({cell(0.9, 0.88, 0.92), cell(0.85, 0.8, 0.89), cell(0.79, 0.75, 0.82)}, true);
  CHECK(r[0].rank == 1u);
  CHECK(r[1].rank == 1u);
  CHECK(r[2].rank == 2u);  // A is strictly better and not tied; B is tied
  CHECK(ties(r[1]) == std::vector<size_t>{0, 2});
  CHECK(ties(r[2]) == std::vector<size_t>{1});
}

TEST_CASE("a value without an interval is a point: tied when inside another's interval") {
  CHECK(rep::tied(cell(0.5), cell(0.45, 0.4, 0.55)));
  CHECK_FALSE(rep::tied(cell(0.6), cell(0.45, 0.4, 0.55)));
  CHECK(rep::tied(cell(0.55), cell(0.45, 0.4, 0.55)));  // closed intervals
  CHECK_FALSE(rep::tied(none(), cell(0.5)));
  // An interval that does not contain its value is widened to it.
  CHECK(rep::tied(cell(0.7, 0.5, 0.6), cell(0.68)));
}

TEST_CASE("rank_values: nearly equal values tie") {
  const auto r = rep::rank_values({1.5, 1.5, 2.0, std::nullopt, 1.5 + 1e-12}, false);
  CHECK(r[0].rank == 1u);
  CHECK(r[1].rank == 1u);
  CHECK(r[4].rank == 1u);
  CHECK(r[2].rank == 4u);
  CHECK_FALSE(r[3].rank);
  CHECK(ties(r[0]) == std::vector<size_t>{1, 4});
  const auto h = rep::rank_values({0.2, 0.7, 0.5}, true);
  CHECK(h[0].rank == 3u);
  CHECK(h[1].rank == 1u);
  CHECK(h[2].rank == 2u);
}

TEST_CASE("pearson") {
  CHECK(*rep::pearson({1, 2, 3}, {2, 4, 6}) == doctest::Approx(1.0));
  CHECK(*rep::pearson({1, 2, 3}, {3, 2, 1}) == doctest::Approx(-1.0));
  // dx = -2..2, dy = -1,-2,1,0,2: sxy = 8, sxx = syy = 10.
  CHECK(*rep::pearson({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}) == doctest::Approx(0.8).epsilon(1e-12));
  CHECK_FALSE(rep::pearson({1, 1, 1}, {1, 2, 3}));  // constant series
  CHECK_FALSE(rep::pearson({1}, {2}));
  CHECK_FALSE(rep::pearson({1, 2}, {1, 2, 3}));
}

TEST_CASE("average_ranks and spearman") {
  CHECK(rep::average_ranks({10, 20, 20}) == std::vector<double>{1, 2.5, 2.5});
  CHECK(rep::average_ranks({3, 1, 2}) == std::vector<double>{3, 1, 2});
  CHECK(rep::average_ranks({5, 5, 5, 1}) == std::vector<double>{3, 3, 3, 1});
  // Monotonic but far from linear: rho = 1, r < 1.
  CHECK(*rep::spearman({1, 2, 3}, {1, 10, 1000}) == doctest::Approx(1.0));
  CHECK(*rep::pearson({1, 2, 3}, {1, 10, 1000}) < 0.9);
  // Ties: ranks x = 1, 2.5, 2.5, 4 and y = 1..4: 4.5 / sqrt(4.5 * 5).
  CHECK(*rep::spearman({1, 2, 2, 3}, {10, 20, 30, 40}) ==
        doctest::Approx(4.5 / std::sqrt(22.5)).epsilon(1e-12));
  CHECK_FALSE(rep::spearman({2, 2, 2}, {1, 2, 3}));
}

namespace {

json metric(const std::string& task, const std::string& id, json value, const std::string& dir,
            const std::string& status = "ok") {
  return {{"task", task}, {"metric", id}, {"value", value}, {"direction", dir}, {"status", status}};
}

}  // namespace

TEST_CASE("baseline gate: a drop beyond max_drop in the metric's direction fails") {
  const json base = {
      {"metrics",
       {metric("t", "up", 0.9, "higher_is_better"), metric("t", "down", 0.1, "lower_is_better"),
        metric("t", "up2", 0.5, "higher_is_better"),
        metric("t", "skip", 0.5, "higher_is_better", "skipped"),
        metric("t", "only_base", 0.5, "higher_is_better"), metric("t", "nodir", 0.5, ""),
        metric("u", "up", 0.3, "higher_is_better")}}};
  const json exact = {
      {"metrics",
       {metric("t", "up", 0.88, "higher_is_better"),  // drops exactly max_drop: passes
        metric("t", "down", 0.12, "lower_is_better"), metric("t", "up2", 0.9, "higher_is_better"),
        metric("t", "skip", 0.0, "higher_is_better"), metric("t", "nodir", 0.0, ""),
        metric("u", "up", nullptr, "higher_is_better")}}};
  auto pass = rep::check_baseline(base, exact, 0.02);
  CHECK(pass.compared == 3);  // up, down, up2 (skip is skipped in base, u.up has no value)
  CHECK(pass.failures.empty());

  const json worse = {
      {"metrics",
       {metric("t", "up", 0.87, "higher_is_better"), metric("t", "down", 0.13, "lower_is_better"),
        metric("t", "up2", 0.49, "higher_is_better")}}};
  auto fail = rep::check_baseline(base, worse, 0.02);
  CHECK(fail.compared == 3);
  REQUIRE(fail.failures.size() == 2);
  CHECK(fail.failures[0].metric == "up");
  CHECK(fail.failures[0].value == 0.87);
  CHECK(fail.failures[0].baseline == 0.9);
  CHECK(fail.failures[1].metric == "down");
  CHECK(rep::gate_failure_line("cand", fail.failures[1], 0.02) ==
        "gate failed: cand: t.down 0.13 vs baseline 0.1 (max drop 0.02)");
  CHECK(rep::gate_failure_line("m", fail.failures[0], 0) ==
        "gate failed: m: t.up 0.87 vs baseline 0.9 (max drop 0)");

  // max_drop 0: any worsening fails, improvements never do.
  auto strict = rep::check_baseline(base, exact, 0.0);
  REQUIRE(strict.failures.size() == 2);
  CHECK(strict.failures[0].metric == "up");
  CHECK(strict.failures[1].metric == "down");
  CHECK(rep::check_baseline(base, base, 0.0).failures.empty());
}

TEST_CASE("exact_number is the shortest text that reads back") {
  CHECK(rep::exact_number(1.0) == "1");
  CHECK(rep::exact_number(0.85) == "0.85");
  CHECK(rep::exact_number(0.1 + 0.2) == "0.30000000000000004");
}
