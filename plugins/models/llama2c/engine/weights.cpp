// Loading and validation of llama2.c legacy (v0) checkpoints.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "llama2c.hpp"

namespace trustllm::llama2c {
namespace {

constexpr std::size_t kHeaderBytes = 7 * sizeof(std::int32_t);
constexpr std::int32_t kVersionedMagic = 0x616b3432;  // "ak42", llama2.c export v1/v2

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Weights::~Weights() {
  if (map_ != nullptr) ::munmap(map_, size_);
}

std::shared_ptr<const Weights> Weights::load(const std::string& path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
  const auto file_size = static_cast<std::size_t>(st.st_size);
  if (file_size < kHeaderBytes) {
    fail(path, "file is " + std::to_string(file_size) + " bytes, too small for the " +
                   std::to_string(kHeaderBytes) + "-byte header - not a llama2.c checkpoint");
  }

  std::int32_t h[7];
  {
    std::size_t got = 0;
    auto* dst = reinterpret_cast<char*>(h);
    while (got < kHeaderBytes) {
      const ssize_t n = ::pread(f.fd, dst + got, kHeaderBytes - got, static_cast<off_t>(got));
      if (n <= 0) fail(path, "cannot read the header");
      got += static_cast<std::size_t>(n);
    }
  }
  if (h[0] == kVersionedMagic) {
    fail(path,
         "llama2.c versioned export (magic \"ak42\") is not supported; export with "
         "--version 0 (legacy fp32)");
  }

  Config c;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  c.shared_classifier = h[5] > 0;
  c.vocab_size = h[5] > 0 ? h[5] : (h[5] == INT32_MIN ? 0 : -h[5]);
  c.seq_len = h[6];

  const std::string header_text =
      "dim=" + std::to_string(h[0]) + " hidden_dim=" + std::to_string(h[1]) +
      " n_layers=" + std::to_string(h[2]) + " n_heads=" + std::to_string(h[3]) +
      " n_kv_heads=" + std::to_string(h[4]) + " vocab_size=" + std::to_string(h[5]) +
      " seq_len=" + std::to_string(h[6]);
  auto in = [](std::int32_t v, std::int32_t lo, std::int32_t hi) { return v >= lo && v <= hi; };
  const bool sane = in(c.dim, 1, 1 << 16) && in(c.hidden_dim, 1, 1 << 18) &&
                    in(c.n_layers, 1, 1024) && in(c.n_heads, 1, 1024) &&
                    in(c.n_kv_heads, 1, 1024) && in(c.vocab_size, 3, 1 << 20) &&
                    in(c.seq_len, 1, 1 << 20) && c.dim % c.n_heads == 0 &&
                    c.n_heads % c.n_kv_heads == 0 && (c.dim / c.n_heads) % 2 == 0;
  if (!sane) fail(path, "implausible header (" + header_text + ") - not a llama2.c checkpoint");

  // Expected size, in floats, in llama2.c order.
  const std::uint64_t dim = static_cast<std::uint64_t>(c.dim);
  const std::uint64_t hidden = static_cast<std::uint64_t>(c.hidden_dim);
  const std::uint64_t layers = static_cast<std::uint64_t>(c.n_layers);
  const std::uint64_t vocab = static_cast<std::uint64_t>(c.vocab_size);
  const std::uint64_t head_size = dim / static_cast<std::uint64_t>(c.n_heads);
  const std::uint64_t kv_dim = head_size * static_cast<std::uint64_t>(c.n_kv_heads);
  const std::uint64_t seq = static_cast<std::uint64_t>(c.seq_len);
  std::uint64_t n_floats = vocab * dim                  // token_embedding
                           + layers * dim               // rms_att
                           + layers * dim * dim         // wq
                           + 2 * layers * kv_dim * dim  // wk, wv
                           + layers * dim * dim         // wo
                           + layers * dim               // rms_ffn
                           + 3 * layers * hidden * dim  // w1, w2, w3
                           + dim                        // rms_final
                           + seq * head_size;           // legacy freq_cis_real + imag
  if (!c.shared_classifier) n_floats += vocab * dim;
  const std::uint64_t expected = kHeaderBytes + n_floats * sizeof(float);
  if (file_size != expected) {
    fail(path, "file is " + std::to_string(file_size) + " bytes, header needs " +
                   std::to_string(expected) + " (" + header_text + ") - not a llama2.c checkpoint" +
                   (file_size < expected ? " or truncated" : ""));
  }

  void* map = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, f.fd, 0);
  if (map == MAP_FAILED) fail(path, std::string("mmap failed: ") + std::strerror(errno));

  std::shared_ptr<Weights> w(new Weights());
  w->path_ = path;
  w->config_ = c;
  w->map_ = map;
  w->size_ = file_size;

  const float* p = reinterpret_cast<const float*>(static_cast<const char*>(map) + kHeaderBytes);
  auto take = [&p](std::uint64_t count) {
    const float* t = p;
    p += count;
    return t;
  };
  w->token_embedding = take(vocab * dim);
  w->rms_att = take(layers * dim);
  w->wq = take(layers * dim * dim);
  w->wk = take(layers * kv_dim * dim);
  w->wv = take(layers * kv_dim * dim);
  w->wo = take(layers * dim * dim);
  w->rms_ffn = take(layers * dim);
  w->w1 = take(layers * hidden * dim);
  w->w2 = take(layers * dim * hidden);
  w->w3 = take(layers * hidden * dim);
  w->rms_final = take(dim);
  take(seq * head_size);  // skip legacy freq_cis_real / freq_cis_imag
  w->wcls = c.shared_classifier ? w->token_embedding : take(vocab * dim);

  // RoPE table, computed exactly as llama2.c's run.c does per step (float arithmetic).
  const std::size_t half = static_cast<std::size_t>(head_size / 2);
  w->rope_cos_.resize(static_cast<std::size_t>(seq) * half);
  w->rope_sin_.resize(static_cast<std::size_t>(seq) * half);
  for (std::size_t pos = 0; pos < seq; ++pos) {
    for (std::size_t j = 0; j < half; ++j) {
      const int head_dim = static_cast<int>(2 * j);
      const float freq =
          1.0f / std::pow(10000.0f, static_cast<float>(head_dim) / static_cast<float>(head_size));
      const float val = static_cast<float>(pos) * freq;
      w->rope_cos_[pos * half + j] = std::cos(val);
      w->rope_sin_[pos * half + j] = std::sin(val);
    }
  }
  return w;
}

}  // namespace trustllm::llama2c
