// backoff_delay: full jitter over an exponential ceiling, at least Retry-After (model_client.hpp).
#include <trustllm/engine/model_client.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

using trustllm::engine::backoff_delay;
using trustllm::engine::RetryPolicy;

namespace {
double ceiling_of(const RetryPolicy& p, int attempt) {
  return std::min(p.max_delay, p.base_delay * std::pow(2.0, attempt - 1));
}
}  // namespace

TEST_CASE("backoff_delay: within [ceiling/2, ceiling], ceiling = min(max, base*2^(attempt-1))") {
  RetryPolicy p;
  p.base_delay = 0.5;
  p.max_delay = 30;
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const double ceiling = ceiling_of(p, attempt);
    for (uint64_t salt = 0; salt < 40; ++salt) {
      CAPTURE(attempt);
      CAPTURE(salt);
      const double d = backoff_delay(p, attempt, -1, salt);
      CHECK(d >= ceiling / 2);
      CHECK(d <= ceiling);
    }
  }
  // The cap applies: attempt 12 would be 0.5 * 2048 = 1024 s without it.
  CHECK(backoff_delay(p, 12, -1, 3) <= 30.0);
  CHECK(backoff_delay(p, 12, -1, 3) >= 15.0);
  // The first wait is short: at most base_delay.
  CHECK(backoff_delay(p, 1, -1, 3) <= 0.5);
}

TEST_CASE("backoff_delay: the jitter spreads over the interval") {
  RetryPolicy p;
  p.base_delay = 1;
  p.max_delay = 100;
  const double ceiling = ceiling_of(p, 3);  // 4 s
  double lo = ceiling, hi = 0;
  std::set<double> distinct;
  for (uint64_t salt = 0; salt < 200; ++salt) {
    const double d = backoff_delay(p, 3, -1, salt);
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    distinct.insert(d);
  }
  CHECK(distinct.size() > 100);
  CHECK(lo < ceiling * 0.6);
  CHECK(hi > ceiling * 0.9);
}

TEST_CASE("backoff_delay: at least Retry-After, capped at 4 * max_delay") {
  RetryPolicy p;
  p.base_delay = 0.1;
  p.max_delay = 1;
  for (uint64_t salt = 0; salt < 20; ++salt) {
    CAPTURE(salt);
    // A Retry-After above the jitter wins.
    CHECK(backoff_delay(p, 1, 2.5, salt) >= 2.5);
    CHECK(backoff_delay(p, 1, 2.5, salt) == doctest::Approx(2.5));
    // A huge Retry-After is capped at 4 * max_delay.
    CHECK(backoff_delay(p, 1, 3600, salt) == doctest::Approx(4.0));
    CHECK(backoff_delay(p, 5, 3600, salt) == doctest::Approx(4.0));
    // A Retry-After below the jitter changes nothing.
    CHECK(backoff_delay(p, 4, 0.01, salt) == backoff_delay(p, 4, -1, salt));
    const double d = backoff_delay(p, 4, 0.0, salt);
    CHECK(d >= ceiling_of(p, 4) / 2);
    CHECK(d <= ceiling_of(p, 4));
  }
}

TEST_CASE("backoff_delay: deterministic for the same salt, varies with the salt") {
  RetryPolicy p;
  for (int attempt = 1; attempt <= 6; ++attempt) {
    CAPTURE(attempt);
    CHECK(backoff_delay(p, attempt, -1, 777) == backoff_delay(p, attempt, -1, 777));
    CHECK(backoff_delay(p, attempt, 0.2, 777) == backoff_delay(p, attempt, 0.2, 777));
  }
  std::set<double> values;
  for (uint64_t salt = 1; salt <= 10; ++salt) values.insert(backoff_delay(p, 2, -1, salt));
  CHECK(values.size() > 1);
}

TEST_CASE("backoff_delay: zero base delay means no wait") {
  RetryPolicy p;
  p.base_delay = 0;
  p.max_delay = 5;
  CHECK(backoff_delay(p, 1, -1, 1) == 0.0);
  CHECK(backoff_delay(p, 3, -1, 9) == 0.0);
  CHECK(backoff_delay(p, 3, 0.25, 9) == doctest::Approx(0.25));
}
