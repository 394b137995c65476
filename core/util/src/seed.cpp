#include "trustllm/util/seed.hpp"

#include "trustllm/util/sha256.hpp"

#include <array>

namespace trustllm::util {

namespace {

void put_u64(Sha256& h, std::uint64_t v) {
  std::array<unsigned char, 8> b{};
  for (int i = 7; i >= 0; --i) {
    b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(v & 0xffu);
    v >>= 8;
  }
  h.update(b.data(), b.size());
}

}  // namespace

std::uint64_t item_seed(std::uint64_t run_seed, std::string_view task, std::string_view item_id) {
  static constexpr std::string_view kTag{"trustllm.item_seed.v1\0", 22};
  Sha256 h;
  h.update(kTag);
  put_u64(h, run_seed);
  put_u64(h, task.size());
  h.update(task);
  put_u64(h, item_id.size());
  h.update(item_id);
  const Sha256::Digest d = h.digest();
  std::uint64_t seed = 0;
  for (std::size_t i = 0; i < 8; ++i) seed = (seed << 8) | d[i];
  return seed;
}

}  // namespace trustllm::util
