// Deterministic per-item seeds.
#pragma once

#include <cstdint>
#include <string_view>

namespace trustllm::util {

// The seed of one dataset item, derived only from (run_seed, task, item_id): the same inputs give
// the same seed in every process, thread and scheduling order, on every platform.
//
// Canonical encoding hashed with SHA-256 (all integers big-endian):
//
//   "trustllm.item_seed.v1" 0x00
//   u64(run_seed)
//   u64(byte length of task)     task bytes
//   u64(byte length of item_id)  item_id bytes
//
// The seed is the first 8 bytes of the digest read as a big-endian unsigned integer. Length
// prefixes make the encoding injective ("ab"+"c" and "a"+"bc" differ). Changing this encoding
// changes every cached response key that includes a seed, so it is versioned by the tag.
std::uint64_t item_seed(std::uint64_t run_seed, std::string_view task, std::string_view item_id);

}  // namespace trustllm::util
