// InOrder: work finished out of order by many threads is consumed in index order, one item at a
// time (in_order.hpp; the run engine streams aggregation and samples.jsonl through it).
#include <trustllm/engine/in_order.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

using trustllm::engine::InOrder;

TEST_CASE("items finished in any order by many threads are consumed in index order") {
  constexpr size_t kItems = 20000;
  constexpr unsigned kThreads = 8;
  std::vector<size_t> order(kItems);
  std::iota(order.begin(), order.end(), 0);
  // Shuffle within windows of 64, as 64 workers finishing their items in any order would.
  std::mt19937 rng(7);
  for (size_t i = 0; i < kItems; i += 64) {
    std::shuffle(order.begin() + static_cast<long>(i),
                 order.begin() + static_cast<long>(std::min(kItems, i + 64)), rng);
  }
  InOrder<size_t> in_order;
  std::vector<size_t> consumed;  // written by one consumer at a time only
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < kThreads; ++t) {
    pool.emplace_back([&] {
      for (size_t k = next++; k < kItems; k = next++) {
        const size_t index = order[k];
        in_order.finished(index, index * 3, [&](size_t& value) {
          if (inside++ != 0) overlapped = true;
          consumed.push_back(value / 3);
          --inside;
        });
      }
    });
  }
  for (auto& t : pool) t.join();
  CHECK_FALSE(overlapped.load());
  CHECK(in_order.next() == kItems);
  CHECK(in_order.parked() == 0);
  REQUIRE(consumed.size() == kItems);
  bool ascending = true;
  for (size_t i = 0; i < kItems; ++i) ascending = ascending && consumed[i] == i;
  CHECK(ascending);
}

TEST_CASE("an item waits for the earlier ones; finished() says how many were waiting") {
  InOrder<int> in_order;
  std::vector<int> seen;
  auto consume = [&](int& v) { seen.push_back(v); };
  CHECK(in_order.finished(2, 20, consume) == 0);
  CHECK(in_order.finished(1, 10, consume) == 1);
  CHECK(seen.empty());
  CHECK(in_order.parked() == 2);
  CHECK(in_order.finished(0, 0, consume) == 2);
  CHECK(seen == std::vector<int>{0, 10, 20});
  CHECK(in_order.next() == 3);
  // Giving up drops what waits; nothing is consumed out of order afterwards.
  in_order.finished(5, 50, consume);
  in_order.clear();
  CHECK(in_order.parked() == 0);
  in_order.finished(3, 30, consume);
  CHECK(seen == std::vector<int>{0, 10, 20, 30});
}
