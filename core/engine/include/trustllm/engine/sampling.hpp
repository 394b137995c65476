// Seeded, stratified selection of at most N items of a task (`--limit N`).
//
// Each item gets a key derived from (run seed, task, item id) only, so the selection does not
// depend on --jobs, on reading order or on interruption. The N slots are shared between strata
// in proportion to their sizes (largest remainder; ties go to the stratum whose name hashes
// lowest); within a stratum the items with the smallest keys are taken. The result keeps the
// dataset's order.
//
// Sampling groups: items that carry the same non-empty `group` (a preference pair, the
// variants of one instruction) are taken or left together. The groups are then the units of
// the selection (keyed by their name, stratified by their first item's stratum), and the
// number of groups taken is N scaled by the mean group size, at least one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trustllm::engine {

struct ItemRef {
  uint64_t index = 0;  // position in the dataset
  std::string id;
  std::string stratum;
  std::string group;  // sampling group; empty = the item stands alone
};

// Returns the positions (ascending) of the selected items.
std::vector<uint64_t> select_items(const std::vector<ItemRef>& items, uint64_t limit,
                                   uint64_t run_seed, const std::string& task);

}  // namespace trustllm::engine
