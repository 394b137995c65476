#include <trustllm/engine/sampling.hpp>
#include <trustllm/util/seed.hpp>

#include <algorithm>
#include <map>

namespace trustllm::engine {

namespace {

// A unit of selection: one item, or one sampling group of items.
struct Unit {
  std::string key_name;  // the item id, or "group:<name>"
  std::string stratum;
  uint64_t index;  // item position, or unit number
};

// Seeded, stratified choice of `limit` of `units` (see the header); returns unit indices.
std::vector<uint64_t> choose(const std::vector<Unit>& units, uint64_t limit, uint64_t run_seed,
                             const std::string& task) {
  struct Keyed {
    uint64_t key;
    uint64_t index;
  };
  std::map<std::string, std::vector<Keyed>> strata;
  for (const auto& u : units) {
    strata[u.stratum].push_back({util::item_seed(run_seed, task, u.key_name), u.index});
  }
  // Proportional quotas, largest remainder.
  struct Quota {
    std::string name;
    uint64_t base;
    double remainder;
    uint64_t tie;
  };
  std::vector<Quota> quotas;
  uint64_t assigned = 0;
  const double total = static_cast<double>(units.size());
  for (const auto& [name, members] : strata) {
    double exact = static_cast<double>(limit) * static_cast<double>(members.size()) / total;
    uint64_t base = static_cast<uint64_t>(exact);
    quotas.push_back({name, base, exact - static_cast<double>(base),
                      util::item_seed(run_seed, task, "stratum:" + name)});
    assigned += base;
  }
  std::sort(quotas.begin(), quotas.end(), [](const Quota& a, const Quota& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    return a.tie < b.tie;
  });
  for (size_t i = 0; assigned < limit && i < quotas.size(); ++i, ++assigned) quotas[i].base++;
  std::vector<uint64_t> out;
  for (const auto& q : quotas) {
    auto& members = strata[q.name];
    uint64_t take = std::min<uint64_t>(q.base, members.size());
    std::partial_sort(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take),
                      members.end(), [](const Keyed& a, const Keyed& b) {
                        return a.key != b.key ? a.key < b.key : a.index < b.index;
                      });
    for (uint64_t i = 0; i < take; ++i) out.push_back(members[i].index);
  }
  return out;
}

}  // namespace

std::vector<uint64_t> select_items(const std::vector<ItemRef>& items, uint64_t limit,
                                   uint64_t run_seed, const std::string& task) {
  std::vector<uint64_t> out;
  if (limit >= items.size()) {
    out.reserve(items.size());
    for (const auto& it : items) out.push_back(it.index);
    std::sort(out.begin(), out.end());
    return out;
  }
  const bool grouped =
      std::any_of(items.begin(), items.end(), [](const ItemRef& it) { return !it.group.empty(); });
  if (!grouped) {
    std::vector<Unit> units;
    units.reserve(items.size());
    for (const auto& it : items) units.push_back({it.id, it.stratum, it.index});
    out = choose(units, limit, run_seed, task);
  } else {
    // Whole groups: the unit limit is the item limit scaled by the mean group size, so about
    // `limit` items are taken (never more when the groups have equal sizes).
    std::vector<Unit> units;
    std::vector<std::vector<uint64_t>> members;
    std::map<std::string, uint64_t> unit_of;
    for (const auto& it : items) {
      const std::string name = it.group.empty() ? it.id : "group:" + it.group;
      auto [pos, fresh] = unit_of.emplace(name, units.size());
      if (fresh) {
        units.push_back({name, it.stratum, units.size()});
        members.emplace_back();
      }
      members[pos->second].push_back(it.index);
    }
    uint64_t unit_limit = limit * units.size() / items.size();
    if (unit_limit == 0) unit_limit = 1;
    for (uint64_t u : choose(units, unit_limit, run_seed, task)) {
      out.insert(out.end(), members[u].begin(), members[u].end());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace trustllm::engine
