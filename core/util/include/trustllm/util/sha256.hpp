// SHA-256 helpers (OpenSSL EVP underneath). All digests are rendered as 64 lowercase hex digits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace trustllm::util {

// Incremental SHA-256.
//
//   Sha256 h;
//   h.update("abc");
//   h.update(more_bytes.data(), more_bytes.size());
//   std::string hex = h.hex_digest();   // finishes; `h` is reset and may be reused
//
// Not thread-safe (use one object per thread). Movable, not copyable.
class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(const void* data, std::size_t size);
  Sha256& update(std::string_view bytes) { return update(bytes.data(), bytes.size()); }

  // Finishes the hash and returns the 32 raw bytes; the object is then reset to the empty state.
  Digest digest();
  // Same as digest(), rendered as 64 lowercase hex digits.
  std::string hex_digest();

  // Discards everything fed so far.
  void reset();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// Lowercase hex rendering of arbitrary bytes.
std::string to_hex(const void* data, std::size_t size);

// sha256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

// sha256 of a file's contents, read in 64 KiB chunks (never loads the file whole).
// Throws std::runtime_error("<path>: cannot read: <reason>") when the file cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace trustllm::util
