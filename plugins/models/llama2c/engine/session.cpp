// Transformer forward pass, sampling and the generation loop.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "llama2c.hpp"

namespace trustllm::llama2c {
namespace {

// ---- kernels -------------------------------------------------------------------------------

// 4-lane float vector (SSE on x86-64, NEON on AArch64). The lane-wise arithmetic is the same
// on every target, so results do not depend on the machine beyond IEEE float behaviour.
using v4f = float __attribute__((vector_size(16)));
using v4i = std::int32_t __attribute__((vector_size(16)));

// Everything on the hot path is force-inlined into the kernel entry points below, which are
// compiled twice on x86-64: for the baseline (SSE2) and for AVX2, chosen once at run time.
// Both use the same 4-lane arithmetic (and no FMA: -ffp-contract=off, and "avx2" does not
// imply FMA), so their results are bit-identical; AVX only saves instructions (3-operand
// forms, unaligned memory operands). Plain function pointers, not ifunc/target_clones, so
// that sanitizers and any loader are happy.
#define LLAMA2C_INLINE __attribute__((always_inline)) inline

LLAMA2C_INLINE v4f load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

LLAMA2C_INLINE void store4(float* p, v4f v) {
  std::memcpy(p, &v, sizeof v);
}

LLAMA2C_INLINE v4f splat(float f) {
  return v4f{f, f, f, f};
}

LLAMA2C_INLINE float hsum(v4f v) {
  return (v[0] + v[2]) + (v[1] + v[3]);
}

// {hsum(a), hsum(b), hsum(c), hsum(d)}, each summed in exactly the same order as hsum().
LLAMA2C_INLINE v4f hsum4(v4f a, v4f b, v4f c, v4f d) {
  const v4f ab =
      __builtin_shuffle(a, b, v4i{0, 4, 1, 5}) + __builtin_shuffle(a, b, v4i{2, 6, 3, 7});
  const v4f cd =
      __builtin_shuffle(c, d, v4i{0, 4, 1, 5}) + __builtin_shuffle(c, d, v4i{2, 6, 3, 7});
  return __builtin_shuffle(ab, cd, v4i{0, 1, 4, 5}) + __builtin_shuffle(ab, cd, v4i{2, 3, 6, 7});
}

// Dot products of `R` consecutive rows of w (row length n) with x, into out[0, R).
template <int R>
LLAMA2C_INLINE void dot_rows(float* __restrict out, const float* __restrict x,
                             const float* __restrict w, std::size_t n) {
  v4f acc[R] = {};
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const v4f xv = load4(x + j);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r] += load4(w + static_cast<std::size_t>(r) * n + j) * xv;
  }
  if constexpr (R % 4 == 0) {
#pragma GCC unroll 2
    for (int r = 0; r < R; r += 4) {
      v4f s = hsum4(acc[r], acc[r + 1], acc[r + 2], acc[r + 3]);
      for (std::size_t k = j; k < n; ++k) {
        const v4f wk = {
            w[static_cast<std::size_t>(r) * n + k], w[static_cast<std::size_t>(r + 1) * n + k],
            w[static_cast<std::size_t>(r + 2) * n + k], w[static_cast<std::size_t>(r + 3) * n + k]};
        s += wk * splat(x[k]);
      }
      store4(out + r, s);
    }
  } else {
    for (int r = 0; r < R; ++r) {
      const float* row = w + static_cast<std::size_t>(r) * n;
      float s = hsum(acc[r]);
      for (std::size_t k = j; k < n; ++k) s += row[k] * x[k];
      out[r] = s;
    }
  }
}

// out[i] = dot(w[i, 0:n], x) for i in [0, d); w is row-major (d, n). Every row is summed the
// same way (4 lanes over j, then the lanes pairwise, then the tail), whatever the blocking.
LLAMA2C_INLINE void matmul_impl(float* __restrict out, const float* __restrict x,
                                const float* __restrict w, int n, int d) {
  const std::size_t nn = static_cast<std::size_t>(n);
  int i = 0;
  for (; i + 8 <= d; i += 8) dot_rows<8>(out + i, x, w + static_cast<std::size_t>(i) * nn, nn);
  for (; i + 4 <= d; i += 4) dot_rows<4>(out + i, x, w + static_cast<std::size_t>(i) * nn, nn);
  for (; i < d; ++i) dot_rows<1>(out + i, x, w + static_cast<std::size_t>(i) * nn, nn);
}

void rmsnorm(float* out, const float* x, const float* weight, int n) {
  float ss = 0.0f;
  for (int j = 0; j < n; ++j) ss += x[j] * x[j];
  ss /= static_cast<float>(n);
  ss += 1e-5f;
  ss = 1.0f / std::sqrt(ss);
  for (int j = 0; j < n; ++j) out[j] = weight[j] * (ss * x[j]);
}

// exp() of four floats: range reduction to r in [-ln2/2, ln2/2], a degree-7 polynomial for
// e^r (the Cephes expf coefficients), and scaling by 2^n through the exponent bits. Relative
// error ~1e-7; inputs are clamped to [-87, 88] (results never denormal, never infinite). Pure
// lane-wise float arithmetic, so it is deterministic and identical on every target.
LLAMA2C_INLINE v4f exp4(v4f x) {
  const v4f lo = splat(-87.0f), hi = splat(88.0f);
  x = x < lo ? lo : x;
  x = x > hi ? hi : x;
  const v4f t = x * splat(1.44269504088896341f) + splat(0.5f);
  v4i n = __builtin_convertvector(t, v4i);     // truncates toward zero
  n += (__builtin_convertvector(n, v4f) > t);  // -1 where truncation rounded up: floor()
  const v4f nf = __builtin_convertvector(n, v4f);
  const v4f r = x - nf * splat(0.693359375f) - nf * splat(-2.12194440e-4f);
  v4f p = splat(1.9875691500E-4f);
  p = p * r + splat(1.3981999507E-3f);
  p = p * r + splat(8.3334519073E-3f);
  p = p * r + splat(4.1665795894E-2f);
  p = p * r + splat(1.6666665459E-1f);
  p = p * r + splat(5.0000001201E-1f);
  p = p * (r * r) + r + splat(1.0f);
  const v4i bits = (n + 127) << 23;
  v4f scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// In-place softmax over x[0, n).
LLAMA2C_INLINE void softmax_impl(float* x, int n) {
  float max_val = x[0];
  int i = 0;
  if (n >= 4) {
    v4f mv = load4(x);
    for (i = 4; i + 4 <= n; i += 4) {
      const v4f v = load4(x + i);
      mv = v > mv ? v : mv;
    }
    max_val = std::max(std::max(mv[0], mv[1]), std::max(mv[2], mv[3]));
  }
  for (; i < n; ++i) max_val = std::max(max_val, x[i]);

  const v4f m = splat(max_val);
  v4f acc{};
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const v4f e = exp4(load4(x + i) - m);
    store4(x + i, e);
    acc += e;
  }
  float sum = hsum(acc);
  if (i < n) {
    v4f tail = m;
    for (int k = 0; i + k < n; ++k) tail[k] = x[i + k];
    const v4f e = exp4(tail - m);
    for (int k = 0; i + k < n; ++k) {
      x[i + k] = e[k];
      sum += e[k];
    }
  }
  const float inv = 1.0f / sum;
  const v4f iv = splat(inv);
  for (i = 0; i + 4 <= n; i += 4) store4(x + i, load4(x + i) * iv);
  for (; i < n; ++i) x[i] *= inv;
}

// h[i] = silu(h[i]) * g[i], silu(v) = v * sigmoid(v).
LLAMA2C_INLINE void swiglu_impl(float* __restrict h, const float* __restrict g, int n) {
  int i = 0;
  const v4f one = splat(1.0f);
  for (; i + 4 <= n; i += 4) {
    const v4f v = load4(h + i);
    store4(h + i, v * (one / (one + exp4(-v))) * load4(g + i));
  }
  if (i < n) {
    v4f v{}, gv{};
    for (int k = 0; i + k < n; ++k) {
      v[k] = h[i + k];
      gv[k] = g[i + k];
    }
    const v4f r = v * (one / (one + exp4(-v))) * gv;
    for (int k = 0; i + k < n; ++k) h[i + k] = r[k];
  }
}

// One attention head: scores of q against keys 0..n-1, softmax, weighted sum of values.
// k and v point at the head's slice of position 0; consecutive positions are `stride` apart.
LLAMA2C_INLINE void attend_impl(float* __restrict out, float* __restrict att,
                                const float* __restrict q, const float* __restrict k,
                                const float* __restrict v, std::size_t stride, int hs, int n,
                                float scale) {
  if (hs % 4 == 0) {
    int t = 0;
    const v4f sv = splat(scale);
    for (; t + 4 <= n; t += 4) {  // four positions at a time, one horizontal reduction
      const float* k0 = k + static_cast<std::size_t>(t) * stride;
      const float* k1 = k0 + stride;
      const float* k2 = k1 + stride;
      const float* k3 = k2 + stride;
      v4f q0 = load4(q);
      v4f a0 = q0 * load4(k0), a1 = q0 * load4(k1), a2 = q0 * load4(k2), a3 = q0 * load4(k3);
      for (int i = 4; i < hs; i += 4) {
        const v4f qi = load4(q + i);
        a0 += qi * load4(k0 + i);
        a1 += qi * load4(k1 + i);
        a2 += qi * load4(k2 + i);
        a3 += qi * load4(k3 + i);
      }
      store4(att + t, hsum4(a0, a1, a2, a3) * sv);
    }
    for (; t < n; ++t) {
      const float* kt = k + static_cast<std::size_t>(t) * stride;
      v4f acc = load4(q) * load4(kt);
      for (int i = 4; i < hs; i += 4) acc += load4(q + i) * load4(kt + i);
      att[t] = hsum(acc) * scale;
    }
  } else {
    for (int t = 0; t < n; ++t) {
      const float* kt = k + static_cast<std::size_t>(t) * stride;
      float score = 0.0f;
      for (int i = 0; i < hs; ++i) score += q[i] * kt[i];
      att[t] = score * scale;
    }
  }
  softmax_impl(att, n);
  int i = 0;
  for (; i + 8 <= hs; i += 8) {  // 8 output lanes at a time, kept in registers
    v4f a0{}, a1{};
    for (int t = 0; t < n; ++t) {
      const float* vt = v + static_cast<std::size_t>(t) * stride + i;
      const v4f a = splat(att[t]);
      a0 += a * load4(vt);
      a1 += a * load4(vt + 4);
    }
    store4(out + i, a0);
    store4(out + i + 4, a1);
  }
  for (; i < hs; ++i) {
    float acc = 0.0f;
    for (int t = 0; t < n; ++t) acc += att[t] * v[static_cast<std::size_t>(t) * stride + i];
    out[i] = acc;
  }
}

// ---- kernel entry points and run-time dispatch -------------------------------------------

using MatmulFn = void (*)(float*, const float*, const float*, int, int);
using SoftmaxFn = void (*)(float*, int);
using SwigluFn = void (*)(float*, const float*, int);
using AttendFn = void (*)(float*, float*, const float*, const float*, const float*, std::size_t,
                          int, int, float);

#define LLAMA2C_DEFINE_KERNELS(SUFFIX, ATTR)                                                  \
  ATTR void matmul_##SUFFIX(float* out, const float* x, const float* w, int n, int d) {       \
    matmul_impl(out, x, w, n, d);                                                             \
  }                                                                                           \
  ATTR void softmax_##SUFFIX(float* x, int n) {                                               \
    softmax_impl(x, n);                                                                       \
  }                                                                                           \
  ATTR void swiglu_##SUFFIX(float* h, const float* g, int n) {                                \
    swiglu_impl(h, g, n);                                                                     \
  }                                                                                           \
  ATTR void attend_##SUFFIX(float* out, float* att, const float* q, const float* k,           \
                            const float* v, std::size_t stride, int hs, int n, float scale) { \
    attend_impl(out, att, q, k, v, stride, hs, n, scale);                                     \
  }

LLAMA2C_DEFINE_KERNELS(baseline, )
#if defined(__x86_64__) && defined(__GNUC__)
#define LLAMA2C_HAVE_AVX2 1
LLAMA2C_DEFINE_KERNELS(avx2, __attribute__((target("avx2"))))
#endif

struct Kernels {
  const char* isa;
  MatmulFn matmul;
  SoftmaxFn softmax;
  SwigluFn swiglu;
  AttendFn attend;
};

// Chosen once per process. TRUSTLLM_LLAMA2C_ISA=baseline forces the portable kernels (tests
// use it to check that both variants give identical results).
const Kernels& kernels() {
  static const Kernels chosen = [] {
    const Kernels baseline{"baseline", matmul_baseline, softmax_baseline, swiglu_baseline,
                           attend_baseline};
    const char* env = std::getenv("TRUSTLLM_LLAMA2C_ISA");
    if (env != nullptr && std::string_view(env) == "baseline") return baseline;
#ifdef LLAMA2C_HAVE_AVX2
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
      return Kernels{"avx2", matmul_avx2, softmax_avx2, swiglu_avx2, attend_avx2};
    }
#endif
    return baseline;
  }();
  return chosen;
}

// ---- random numbers ------------------------------------------------------------------------

// SplitMix64: tiny, fast, and well distributed for every seed including 0.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 24 random bits.
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
};

constexpr int kCancelCheckInterval = 8;

}  // namespace

// ---- run state -----------------------------------------------------------------------------

struct Session::State {
  std::shared_ptr<const Weights> weights;
  std::shared_ptr<const Tokenizer> tokenizer;
  const Kernels* kn = &kernels();
  Config c;
  std::vector<float> x, xb, xb2, hb, hb2, q, att, logits;
  std::vector<float> key_cache, value_cache;      // (n_layers, seq_len, kv_dim)
  std::vector<std::pair<float, int>> candidates;  // top-p scratch

  void run_layers(int token, int pos);
  void classify();
  int sample(const GenerateOptions& o, Rng& rng);
};

void Session::State::run_layers(int token, int pos) {
  const Weights& w = *weights;
  const int dim = c.dim, hidden = c.hidden_dim, kv_dim = c.kv_dim(), hs = c.head_size();
  const int kv_mul = c.n_heads / c.n_kv_heads;
  const int half = hs / 2;
  const std::size_t sdim = static_cast<std::size_t>(dim);
  const std::size_t skv = static_cast<std::size_t>(kv_dim);
  const std::size_t sseq = static_cast<std::size_t>(c.seq_len);
  const std::size_t shid = static_cast<std::size_t>(hidden);
  const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
  const float* rc = w.rope_cos() + static_cast<std::size_t>(pos) * static_cast<std::size_t>(half);
  const float* rs = w.rope_sin() + static_cast<std::size_t>(pos) * static_cast<std::size_t>(half);

  float* xp = x.data();
  std::memcpy(xp, w.token_embedding + static_cast<std::size_t>(token) * sdim, sdim * sizeof(float));

  for (int l = 0; l < c.n_layers; ++l) {
    const std::size_t sl = static_cast<std::size_t>(l);
    rmsnorm(xb.data(), xp, w.rms_att + sl * sdim, dim);

    const std::size_t cache_off = (sl * sseq + static_cast<std::size_t>(pos)) * skv;
    float* k = key_cache.data() + cache_off;
    float* v = value_cache.data() + cache_off;
    kn->matmul(q.data(), xb.data(), w.wq + sl * sdim * sdim, dim, dim);
    kn->matmul(k, xb.data(), w.wk + sl * skv * sdim, dim, kv_dim);
    kn->matmul(v, xb.data(), w.wv + sl * skv * sdim, dim, kv_dim);

    // RoPE: rotate consecutive pairs (i, i+1) within each head.
    for (int i = 0; i < dim; i += 2) {
      const int j = (i % hs) / 2;
      const float fcr = rc[j], fci = rs[j];
      {
        const float a = q[static_cast<std::size_t>(i)], b = q[static_cast<std::size_t>(i) + 1];
        q[static_cast<std::size_t>(i)] = a * fcr - b * fci;
        q[static_cast<std::size_t>(i) + 1] = a * fci + b * fcr;
      }
      if (i < kv_dim) {
        const float a = k[i], b = k[i + 1];
        k[i] = a * fcr - b * fci;
        k[i + 1] = a * fci + b * fcr;
      }
    }

    // Grouped-query attention over positions 0..pos.
    const float* kbase = key_cache.data() + sl * sseq * skv;
    const float* vbase = value_cache.data() + sl * sseq * skv;
    for (int h = 0; h < c.n_heads; ++h) {
      const float* qh = q.data() + static_cast<std::size_t>(h * hs);
      float* ah = att.data() + static_cast<std::size_t>(h) * sseq;
      const std::size_t kv_off = static_cast<std::size_t>((h / kv_mul) * hs);
      float* out = xb.data() + static_cast<std::size_t>(h * hs);
      kn->attend(out, ah, qh, kbase + kv_off, vbase + kv_off, skv, hs, pos + 1, scale);
    }

    kn->matmul(xb2.data(), xb.data(), w.wo + sl * sdim * sdim, dim, dim);
    for (int i = 0; i < dim; ++i) xp[i] += xb2[static_cast<std::size_t>(i)];

    // SwiGLU feed-forward.
    rmsnorm(xb.data(), xp, w.rms_ffn + sl * sdim, dim);
    kn->matmul(hb.data(), xb.data(), w.w1 + sl * shid * sdim, dim, hidden);
    kn->matmul(hb2.data(), xb.data(), w.w3 + sl * shid * sdim, dim, hidden);
    kn->swiglu(hb.data(), hb2.data(), hidden);
    kn->matmul(xb.data(), hb.data(), w.w2 + sl * sdim * shid, hidden, dim);
    for (int i = 0; i < dim; ++i) xp[i] += xb[static_cast<std::size_t>(i)];
  }
}

void Session::State::classify() {
  rmsnorm(x.data(), x.data(), weights->rms_final, c.dim);
  kn->matmul(logits.data(), x.data(), weights->wcls, c.dim, c.vocab_size);
}

int Session::State::sample(const GenerateOptions& o, Rng& rng) {
  float* p = logits.data();
  const int n = c.vocab_size;
  if (o.temperature == 0.0f) {
    int best = 0;
    for (int i = 1; i < n; ++i) {
      if (p[i] > p[best]) best = i;
    }
    return best;
  }
  for (int i = 0; i < n; ++i) p[i] /= o.temperature;
  kn->softmax(p, n);
  const float coin = rng.uniform();

  if (!(o.top_p > 0.0f && o.top_p < 1.0f)) {
    float cdf = 0.0f;
    for (int i = 0; i < n; ++i) {
      cdf += p[i];
      if (coin < cdf) return i;
    }
    return n - 1;  // rounding
  }

  // Nucleus sampling: tokens below `cutoff` can never be part of the nucleus, so skip them
  // before sorting.
  const float cutoff = (1.0f - o.top_p) / static_cast<float>(n - 1);
  auto& cand = candidates;
  cand.clear();
  for (int i = 0; i < n; ++i) {
    if (p[i] >= cutoff) cand.emplace_back(p[i], i);
  }
  if (cand.empty()) {  // only possible through rounding; fall back to argmax
    int best = 0;
    for (int i = 1; i < n; ++i) {
      if (p[i] > p[best]) best = i;
    }
    return best;
  }
  std::sort(cand.begin(), cand.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  float cumulative = 0.0f;
  std::size_t last = cand.size() - 1;
  for (std::size_t i = 0; i < cand.size(); ++i) {
    cumulative += cand[i].first;
    if (cumulative > o.top_p) {
      last = i;
      break;
    }
  }
  const float r = coin * cumulative;
  float cdf = 0.0f;
  for (std::size_t i = 0; i <= last; ++i) {
    cdf += cand[i].first;
    if (r < cdf) return cand[i].second;
  }
  return cand[last].second;
}

// ---- Session -------------------------------------------------------------------------------

std::string_view kernel_isa() {
  return kernels().isa;
}

Session::Session(std::shared_ptr<const Weights> weights, std::shared_ptr<const Tokenizer> tokenizer)
    : s_(std::make_unique<State>()) {
  if (!weights) throw std::invalid_argument("llama2c::Session: weights are null");
  if (!tokenizer) throw std::invalid_argument("llama2c::Session: tokenizer is null");
  if (tokenizer->vocab_size() != weights->config().vocab_size) {
    throw std::invalid_argument(
        "llama2c::Session: tokenizer has " + std::to_string(tokenizer->vocab_size()) +
        " tokens but the model's vocab_size is " + std::to_string(weights->config().vocab_size));
  }
  State& s = *s_;
  s.weights = std::move(weights);
  s.tokenizer = std::move(tokenizer);
  s.c = s.weights->config();
  const auto dim = static_cast<std::size_t>(s.c.dim);
  const auto hidden = static_cast<std::size_t>(s.c.hidden_dim);
  const auto seq = static_cast<std::size_t>(s.c.seq_len);
  const auto cache =
      static_cast<std::size_t>(s.c.n_layers) * seq * static_cast<std::size_t>(s.c.kv_dim());
  s.x.assign(dim, 0.0f);
  s.xb.assign(dim, 0.0f);
  s.xb2.assign(dim, 0.0f);
  s.hb.assign(hidden, 0.0f);
  s.hb2.assign(hidden, 0.0f);
  s.q.assign(dim, 0.0f);
  s.att.assign(static_cast<std::size_t>(s.c.n_heads) * seq, 0.0f);
  s.logits.assign(static_cast<std::size_t>(s.c.vocab_size), 0.0f);
  s.key_cache.assign(cache, 0.0f);
  s.value_cache.assign(cache, 0.0f);
  s.candidates.reserve(static_cast<std::size_t>(s.c.vocab_size));
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

const Weights& Session::weights() const {
  return *s_->weights;
}
const Tokenizer& Session::tokenizer() const {
  return *s_->tokenizer;
}

std::span<const float> Session::forward(int token, int pos) {
  State& s = *s_;
  if (token < 0 || token >= s.c.vocab_size) {
    throw std::out_of_range("llama2c::Session::forward: token " + std::to_string(token) +
                            " out of range");
  }
  if (pos < 0 || pos >= s.c.seq_len) {
    throw std::out_of_range("llama2c::Session::forward: position " + std::to_string(pos) +
                            " out of range (seq_len " + std::to_string(s.c.seq_len) + ")");
  }
  s.run_layers(token, pos);
  s.classify();
  return {s.logits.data(), s.logits.size()};
}

GenerateResult Session::generate(std::string_view prompt, const GenerateOptions& options,
                                 const std::function<bool()>& cancelled) {
  const std::vector<int> tokens = s_->tokenizer->encode(prompt, /*bos=*/true, /*eos=*/false);
  return generate_tokens(tokens, options, cancelled);
}

GenerateResult Session::generate_tokens(std::span<const int> prompt_tokens,
                                        const GenerateOptions& options,
                                        const std::function<bool()>& cancelled) {
  State& s = *s_;
  if (options.max_tokens < 0) {
    throw std::invalid_argument("llama2c: max_tokens must be >= 0, got " +
                                std::to_string(options.max_tokens));
  }
  if (!(options.temperature >= 0.0f) || !std::isfinite(options.temperature)) {
    throw std::invalid_argument("llama2c: temperature must be a finite number >= 0");
  }
  if (std::isnan(options.top_p)) throw std::invalid_argument("llama2c: top_p is NaN");
  if (prompt_tokens.empty()) throw std::invalid_argument("llama2c: prompt has no tokens");
  for (int t : prompt_tokens) {
    if (t < 0 || t >= s.c.vocab_size) {
      throw std::invalid_argument("llama2c: prompt token " + std::to_string(t) + " out of range");
    }
  }
  auto check_cancel = [&cancelled] {
    if (cancelled && cancelled()) throw Cancelled();
  };
  check_cancel();

  // Context-window rules (see llama2c.hpp).
  const int seq_len = s.c.seq_len;
  const int n_prompt = static_cast<int>(prompt_tokens.size());
  const int max_new = std::min(options.max_tokens, seq_len - std::min(n_prompt, kMinPromptKeep));

  GenerateResult result;
  // The prompt actually run: first token, then the last `keep - 1` tokens when truncating.
  const int keep = n_prompt + max_new > seq_len ? seq_len - max_new : n_prompt;
  result.prompt_truncated = keep < n_prompt;
  result.prompt_tokens = keep;
  auto prompt_at = [&](int i) {
    return i == 0 ? prompt_tokens[0] : prompt_tokens[static_cast<std::size_t>(n_prompt - keep + i)];
  };

  // Prefill: every prompt token but the last needs only its KV-cache entries.
  int pos = 0;
  for (; pos < keep - 1; ++pos) {
    if (pos % kCancelCheckInterval == kCancelCheckInterval - 1) check_cancel();
    s.run_layers(prompt_at(pos), pos);
  }

  Rng rng{options.seed};
  int token = prompt_at(keep - 1);
  result.finish_reason = "length";
  result.text.reserve(static_cast<std::size_t>(max_new) * 4);
  for (int generated = 0; generated < max_new; ++generated) {
    if (generated % kCancelCheckInterval == kCancelCheckInterval - 1) check_cancel();
    s.run_layers(token, pos);
    s.classify();
    ++pos;
    const int next = s.sample(options, rng);
    if (next == kBosToken || next == kEosToken) {
      result.finish_reason = "stop";
      break;
    }
    result.text.append(s.tokenizer->decode(token, next));
    ++result.completion_tokens;
    token = next;
  }
  return result;
}

}  // namespace trustllm::llama2c
