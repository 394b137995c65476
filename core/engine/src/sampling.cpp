#include <trustllm/engine/sampling.hpp>
#include <trustllm/util/seed.hpp>

#include <algorithm>
#include <map>

namespace trustllm::engine {

std::vector<uint64_t> select_items(const std::vector<ItemRef>& items, uint64_t limit,
                                   uint64_t run_seed, const std::string& task) {
  std::vector<uint64_t> out;
  if (limit >= items.size()) {
    out.reserve(items.size());
    for (const auto& it : items) out.push_back(it.index);
    std::sort(out.begin(), out.end());
    return out;
  }
  struct Keyed {
    uint64_t key;
    uint64_t index;
  };
  std::map<std::string, std::vector<Keyed>> strata;
  for (const auto& it : items) {
    strata[it.stratum].push_back({util::item_seed(run_seed, task, it.id), it.index});
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
  const double total = static_cast<double>(items.size());
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
  for (const auto& q : quotas) {
    auto& members = strata[q.name];
    uint64_t take = std::min<uint64_t>(q.base, members.size());
    std::partial_sort(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take),
                      members.end(), [](const Keyed& a, const Keyed& b) {
                        return a.key != b.key ? a.key < b.key : a.index < b.index;
                      });
    for (uint64_t i = 0; i < take; ++i) out.push_back(members[i].index);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace trustllm::engine
