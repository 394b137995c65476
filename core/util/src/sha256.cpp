#include "trustllm/util/sha256.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace trustllm::util {

namespace {

EVP_MD_CTX* as_ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

// The SHA-256 implementation, fetched from the default provider once per process: passing
// EVP_sha256() to DigestInit makes OpenSSL 3 look the algorithm up again on every hash (about
// 10k instructions, more than hashing a cache key). Never freed: it lives as long as the process.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

void init_or_throw(EVP_MD_CTX* ctx) {
  if (EVP_DigestInit_ex(ctx, sha256_md(), nullptr) != 1) {
    throw std::runtime_error("sha256: EVP_DigestInit_ex failed");
  }
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
  try {
    init_or_throw(as_ctx(ctx_));
  } catch (...) {
    EVP_MD_CTX_free(as_ctx(ctx_));
    throw;
  }
}

Sha256::~Sha256() {
  if (ctx_ != nullptr) EVP_MD_CTX_free(as_ctx(ctx_));
}

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) EVP_MD_CTX_free(as_ctx(ctx_));
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

Sha256& Sha256::update(const void* data, std::size_t size) {
  if (ctx_ == nullptr) throw std::logic_error("sha256: use of a moved-from Sha256");
  if (size != 0 && EVP_DigestUpdate(as_ctx(ctx_), data, size) != 1) {
    throw std::runtime_error("sha256: EVP_DigestUpdate failed");
  }
  return *this;
}

Sha256::Digest Sha256::digest() {
  if (ctx_ == nullptr) throw std::logic_error("sha256: use of a moved-from Sha256");
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(as_ctx(ctx_), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("sha256: EVP_DigestFinal_ex failed");
  }
  init_or_throw(as_ctx(ctx_));
  return out;
}

std::string Sha256::hex_digest() {
  const Digest d = digest();
  return to_hex(d.data(), d.size());
}

void Sha256::reset() {
  if (ctx_ == nullptr) throw std::logic_error("sha256: use of a moved-from Sha256");
  init_or_throw(as_ctx(ctx_));
}

std::string to_hex(const void* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 0x0f];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw std::runtime_error(file.string() + ": cannot read: is a directory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error(file.string() + ": cannot read: " + std::strerror(errno));
  }
  Sha256 h;
  std::vector<char> buf(64 * 1024);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) h.update(buf.data(), static_cast<std::size_t>(got));
  }
  if (in.bad()) {
    throw std::runtime_error(file.string() + ": cannot read: I/O error");
  }
  return h.hex_digest();
}

}  // namespace trustllm::util
