// select_items: seeded, stratified selection of at most N items (sampling.hpp).
#include <trustllm/engine/sampling.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using trustllm::engine::ItemRef;
using trustllm::engine::select_items;

namespace {

// Items 0..n-1 with ids "item-<i>" in one stratum.
std::vector<ItemRef> single_stratum(uint64_t n) {
  std::vector<ItemRef> v;
  for (uint64_t i = 0; i < n; ++i) v.push_back({i, "item-" + std::to_string(i), "", ""});
  return v;
}

// Items in consecutive blocks: sizes[k] items of stratum "s<k>".
std::vector<ItemRef> blocks(const std::vector<uint64_t>& sizes) {
  std::vector<ItemRef> v;
  for (size_t k = 0; k < sizes.size(); ++k) {
    for (uint64_t j = 0; j < sizes[k]; ++j) {
      const uint64_t i = v.size();
      v.push_back({i, "item-" + std::to_string(i), "s" + std::to_string(k), ""});
    }
  }
  return v;
}

// Selected count per stratum.
std::map<std::string, uint64_t> per_stratum(const std::vector<ItemRef>& items,
                                            const std::vector<uint64_t>& selected) {
  std::map<uint64_t, const ItemRef*> by_index;
  for (const auto& it : items) by_index[it.index] = &it;
  std::map<std::string, uint64_t> counts;
  for (uint64_t idx : selected) {
    REQUIRE(by_index.count(idx) == 1);
    counts[by_index[idx]->stratum]++;
  }
  return counts;
}

std::set<std::string> ids_of(const std::vector<ItemRef>& items,
                             const std::vector<uint64_t>& selected) {
  std::map<uint64_t, std::string> id_of;
  for (const auto& it : items) id_of[it.index] = it.id;
  std::set<std::string> out;
  for (uint64_t idx : selected) out.insert(id_of.at(idx));
  return out;
}

bool strictly_ascending(const std::vector<uint64_t>& v) {
  for (size_t i = 1; i < v.size(); ++i)
    if (v[i - 1] >= v[i]) return false;
  return true;
}

}  // namespace

TEST_CASE("select_items: exactly min(limit, size) positions, ascending, unique, valid") {
  const auto items = blocks({37, 21, 9, 3});  // 70 items, 4 strata
  for (uint64_t limit : {0u, 1u, 2u, 5u, 10u, 33u, 69u}) {
    CAPTURE(limit);
    auto sel = select_items(items, limit, 7, "task");
    CHECK(sel.size() == limit);
    CHECK(strictly_ascending(sel));
    for (uint64_t idx : sel) CHECK(idx < items.size());
  }
}

TEST_CASE("select_items: every item when limit >= size; nothing from nothing") {
  const auto items = blocks({6, 4});
  std::vector<uint64_t> all(items.size());
  for (uint64_t i = 0; i < all.size(); ++i) all[i] = i;
  CHECK(select_items(items, items.size(), 1, "t") == all);
  CHECK(select_items(items, items.size() + 1, 1, "t") == all);
  CHECK(select_items(items, 1000000, 1, "t") == all);
  CHECK(select_items({}, 5, 1, "t").empty());
  CHECK(select_items({}, 0, 1, "t").empty());
}

TEST_CASE("select_items: same (seed, task, ids) -> same selection whatever the input order") {
  const auto items = blocks({60, 30, 10});
  const auto reference = select_items(items, 17, 42, "safety/jailbreak");
  REQUIRE(reference.size() == 17);

  SUBCASE("the vector shuffled (each id keeps its position)") {
    std::mt19937 rng(12345);
    for (int round = 0; round < 5; ++round) {
      auto shuffled = items;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      CHECK(select_items(shuffled, 17, 42, "safety/jailbreak") == reference);
    }
    auto reversed = items;
    std::reverse(reversed.begin(), reversed.end());
    CHECK(select_items(reversed, 17, 42, "safety/jailbreak") == reference);
  }

  SUBCASE("the dataset reordered (ids move to other positions): same set of ids") {
    // Same ids and strata, positions reversed: the selection follows the ids.
    std::vector<ItemRef> moved;
    for (const auto& it : items) moved.push_back({items.size() - 1 - it.index, it.id, it.stratum, ""});
    const auto sel = select_items(moved, 17, 42, "safety/jailbreak");
    CHECK(ids_of(moved, sel) == ids_of(items, reference));
  }

  SUBCASE("repeated calls") {
    CHECK(select_items(items, 17, 42, "safety/jailbreak") == reference);
  }
}

TEST_CASE("select_items: the selection changes with the seed and with the task") {
  const auto items = single_stratum(200);
  const auto a = select_items(items, 10, 1, "task");
  const auto b = select_items(items, 10, 2, "task");
  const auto c = select_items(items, 10, 1, "other-task");
  REQUIRE(a.size() == 10);
  CHECK(a != b);
  CHECK(a != c);
  // Not simply the first N items of the dataset.
  std::vector<uint64_t> first10(10);
  for (uint64_t i = 0; i < 10; ++i) first10[i] = i;
  CHECK(a != first10);
}

TEST_CASE("select_items: proportional stratification") {
  SUBCASE("60/30/10 with limit 10 -> 6/3/1 (interleaved strata)") {
    // Stratum by i % 10: 0-5 -> a, 6-8 -> b, 9 -> c.
    std::vector<ItemRef> items;
    for (uint64_t i = 0; i < 100; ++i) {
      const uint64_t r = i % 10;
      items.push_back({i, "q" + std::to_string(i), r < 6 ? "a" : r < 9 ? "b" : "c", ""});
    }
    for (uint64_t seed : {0u, 1u, 99u}) {
      CAPTURE(seed);
      auto counts = per_stratum(items, select_items(items, 10, seed, "t"));
      CHECK(counts["a"] == 6);
      CHECK(counts["b"] == 3);
      CHECK(counts["c"] == 1);
    }
  }

  SUBCASE("largest remainder: 52/28/20 with limit 10 -> 5/3/2 (not 6/2/2)") {
    // Exact shares 5.2 / 2.8 / 2.0: floors 5+2+2 = 9, the spare slot goes to the largest
    // remainder (0.8, the middle stratum), not to the largest stratum.
    const auto items = blocks({52, 28, 20});
    auto counts = per_stratum(items, select_items(items, 10, 3, "t"));
    CHECK(counts["s0"] == 5);
    CHECK(counts["s1"] == 3);
    CHECK(counts["s2"] == 2);
  }

  SUBCASE("largest remainder: 47/33/20 with limit 10 -> 5/3/2") {
    const auto items = blocks({47, 33, 20});
    auto counts = per_stratum(items, select_items(items, 10, 3, "t"));
    CHECK(counts["s0"] == 5);
    CHECK(counts["s1"] == 3);
    CHECK(counts["s2"] == 2);
  }

  SUBCASE("ten strata of ten, limit 10 -> one from each") {
    std::vector<uint64_t> sizes(10, 10);
    const auto items = blocks(sizes);
    for (uint64_t seed : {0u, 5u, 77u}) {
      auto counts = per_stratum(items, select_items(items, 10, seed, "t"));
      CHECK(counts.size() == 10);
      for (const auto& [name, n] : counts) {
        CAPTURE(name);
        CHECK(n == 1);
      }
    }
  }

  SUBCASE("a tie of remainders is broken deterministically") {
    // Three equal strata, limit 2: every share is 2/3; two strata get one each.
    const auto items = blocks({10, 10, 10});
    const auto sel = select_items(items, 2, 8, "t");
    auto counts = per_stratum(items, sel);
    CHECK(sel.size() == 2);
    CHECK(counts.size() == 2);
    for (const auto& [name, n] : counts) CHECK(n == 1);
    auto shuffled = items;
    std::reverse(shuffled.begin(), shuffled.end());
    CHECK(select_items(shuffled, 2, 8, "t") == sel);
  }
}

TEST_CASE("select_items: every stratum gets floor or ceil of its exact share (property)") {
  // Quotas checked in exact integer arithmetic: floor(limit*size/n) <= count <= ceil(...),
  // so every stratum with a positive quota contributes, and the counts add up to the limit.
  std::mt19937 rng(2024);
  for (int round = 0; round < 60; ++round) {
    const size_t nstrata = 1 + rng() % 7;
    std::vector<uint64_t> sizes;
    uint64_t n = 0;
    for (size_t k = 0; k < nstrata; ++k) {
      sizes.push_back(1 + rng() % 40);
      n += sizes.back();
    }
    const uint64_t limit = rng() % (n + 3);
    const uint64_t seed = rng();
    CAPTURE(round);
    CAPTURE(limit);
    CAPTURE(n);
    const auto items = blocks(sizes);
    const auto sel = select_items(items, limit, seed, "prop");
    CHECK(sel.size() == std::min(limit, n));
    CHECK(strictly_ascending(sel));
    if (limit >= n) continue;
    auto counts = per_stratum(items, sel);
    for (size_t k = 0; k < nstrata; ++k) {
      const std::string name = "s" + std::to_string(k);
      const uint64_t lo = limit * sizes[k] / n;
      const uint64_t hi = lo + ((limit * sizes[k]) % n != 0 ? 1 : 0);
      CAPTURE(name);
      CAPTURE(sizes[k]);
      CHECK(counts[name] >= lo);
      CHECK(counts[name] <= hi);
    }
  }
}

TEST_CASE("select_items: within a stratum a larger limit extends a smaller one") {
  const auto items = single_stratum(300);
  for (uint64_t seed : {0u, 11u, 123456789u}) {
    CAPTURE(seed);
    const auto s5 = select_items(items, 5, seed, "t");
    const auto s10 = select_items(items, 10, seed, "t");
    const auto s50 = select_items(items, 50, seed, "t");
    REQUIRE(s5.size() == 5);
    REQUIRE(s10.size() == 10);
    CHECK(std::includes(s10.begin(), s10.end(), s5.begin(), s5.end()));
    CHECK(std::includes(s50.begin(), s50.end(), s10.begin(), s10.end()));
  }
}

TEST_CASE("select_items: positions are ascending even when the limit covers every item") {
  std::vector<ItemRef> items;
  for (uint64_t i = 5; i-- > 0;) items.push_back({i, "id" + std::to_string(i), "", ""});
  CHECK(select_items(items, 10, 1, "t") == std::vector<uint64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("select_items: sampling groups are taken or left whole") {
  using trustllm::engine::ItemRef;
  using trustllm::engine::select_items;
  // 40 pairs: items 2k and 2k+1 share group "k".
  std::vector<ItemRef> items;
  for (uint64_t i = 0; i < 80; ++i) {
    items.push_back({i, std::to_string(i), "s", std::to_string(i / 2)});
  }
  for (uint64_t limit : {1u, 2u, 7u, 10u, 79u}) {
    auto sel = select_items(items, limit, 42, "sycophancy_preference");
    CHECK(sel.size() <= std::max<uint64_t>(limit, 2));
    CHECK(sel.size() % 2 == 0);
    for (size_t i = 0; i < sel.size(); i += 2) {
      CHECK(sel[i] % 2 == 0);
      CHECK(sel[i + 1] == sel[i] + 1);  // both halves of every pair
    }
    CHECK(sel == select_items(items, limit, 42, "sycophancy_preference"));  // seeded
  }
  CHECK(select_items(items, 10, 42, "t").size() == 10);
  CHECK(select_items(items, 10, 42, "t") != select_items(items, 10, 43, "t"));
  // Groups of 12 (AdvInstruction): 24 items = two whole instructions.
  std::vector<ItemRef> big;
  for (uint64_t i = 0; i < 600; ++i) big.push_back({i, std::to_string(i), "all", std::to_string(i / 12)});
  auto sel = select_items(big, 24, 7, "advinstruction");
  REQUIRE(sel.size() == 24);
  CHECK(sel[0] / 12 == sel[11] / 12);
  CHECK(sel[12] / 12 == sel[23] / 12);
  CHECK(sel[0] % 12 == 0);
}
