// In-process inference engine for llama2.c-format checkpoints (legacy "v0" export) and
// llama2.c tokenizer files, written for the trustllm llama2c model plugin.
//
// Objects:
//   Weights    immutable model parameters (the checkpoint is memory-mapped read-only).
//   Tokenizer  immutable SentencePiece-style BPE vocabulary with byte fallback.
//   Session    mutable run state (KV cache, scratch buffers) for one generation at a time.
//
// Threading: Weights and Tokenizer are immutable after load and may be shared by any number
// of threads. A Session is NOT thread-safe; use one Session per worker thread. Output depends
// only on (weights, tokenizer, prompt, options), never on the thread or on earlier calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::llama2c {

// Special token ids of llama2.c tokenizers.
inline constexpr int kBosToken = 1;
inline constexpr int kEosToken = 2;

// Model hyper-parameters (the 7-int32 checkpoint header).
struct Config {
  int dim = 0;         // transformer width
  int hidden_dim = 0;  // FFN width
  int n_layers = 0;
  int n_heads = 0;                // query heads
  int n_kv_heads = 0;             // key/value heads (grouped-query attention when < n_heads)
  int vocab_size = 0;             // always positive here
  int seq_len = 0;                // maximum context length (positions)
  bool shared_classifier = true;  // header vocab_size > 0: classifier == token embedding

  int head_size() const { return dim / n_heads; }
  int kv_dim() const { return head_size() * n_kv_heads; }
};

// Model parameters. Pointers below point into the read-only mapping of the checkpoint file.
class Weights {
 public:
  // Maps and validates a llama2.c legacy (v0) checkpoint. Throws std::runtime_error with a
  // one-line message starting with the path, e.g.
  //   "x.bin: file is 1000 bytes, header needs 1056540 - not a llama2.c checkpoint".
  static std::shared_ptr<const Weights> load(const std::string& path);

  ~Weights();
  Weights(const Weights&) = delete;
  Weights& operator=(const Weights&) = delete;

  const Config& config() const { return config_; }
  const std::string& path() const { return path_; }
  std::size_t file_size() const { return size_; }

  // Tensor views (row-major, fp32), llama2.c layout.
  const float* token_embedding = nullptr;  // (vocab_size, dim)
  const float* rms_att = nullptr;          // (n_layers, dim)
  const float* wq = nullptr;               // (n_layers, dim, dim)
  const float* wk = nullptr;               // (n_layers, kv_dim, dim)
  const float* wv = nullptr;               // (n_layers, kv_dim, dim)
  const float* wo = nullptr;               // (n_layers, dim, dim)
  const float* rms_ffn = nullptr;          // (n_layers, dim)
  const float* w1 = nullptr;               // (n_layers, hidden_dim, dim)
  const float* w2 = nullptr;               // (n_layers, dim, hidden_dim)
  const float* w3 = nullptr;               // (n_layers, hidden_dim, dim)
  const float* rms_final = nullptr;        // (dim)
  const float* wcls = nullptr;             // (vocab_size, dim); == token_embedding if shared

  // RoPE table computed at load time: for position p and pair index j (0 <= j < head_size/2),
  // rope_cos()[p * head_size/2 + j] / rope_sin()[...] with theta = p * 10000^(-2j/head_size).
  const float* rope_cos() const { return rope_cos_.data(); }
  const float* rope_sin() const { return rope_sin_.data(); }

 private:
  Weights() = default;
  std::string path_;
  Config config_;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::vector<float> rope_cos_, rope_sin_;
};

// llama2.c tokenizer (tokenizer.bin / tok512.bin format).
class Tokenizer {
 public:
  // Reads and validates a tokenizer file holding exactly `vocab_size` entries. Throws
  // std::runtime_error with a one-line message starting with the path.
  static std::shared_ptr<const Tokenizer> load(const std::string& path, int vocab_size);

  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  int vocab_size() const { return static_cast<int>(pieces_.size()); }
  std::string_view piece(int token) const { return pieces_.at(static_cast<std::size_t>(token)); }
  float score(int token) const { return scores_.at(static_cast<std::size_t>(token)); }
  // Id of the exact piece, or -1.
  int lookup(std::string_view piece) const;

  // SentencePiece-style BPE as llama2.c does it: optional BOS; a dummy-prefix " " token when
  // text is non-empty; each UTF-8 code point looked up as a piece, falling back to one
  // <0xXX> byte token (id = byte + 3) per byte; then repeatedly merge the adjacent pair whose
  // concatenation is a vocabulary piece with the highest score (leftmost on ties); optional EOS.
  std::vector<int> encode(std::string_view text, bool bos, bool eos) const;

  // Text of `token` when it follows `prev_token`: a leading space is dropped right after BOS;
  // <0xXX> tokens yield the raw byte. The view stays valid as long as the Tokenizer lives.
  std::string_view decode(int prev_token, int token) const;

  // Concatenated decode of a token sequence (prev of the first token is `prev_token`).
  std::string decode_all(std::span<const int> tokens, int prev_token = kBosToken) const;

 private:
  Tokenizer() = default;
  std::string path_;
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  std::vector<std::int16_t> byte_value_;                  // raw byte of <0xXX> pieces, else -1
  std::vector<std::pair<std::string_view, int>> sorted_;  // (piece, id), sorted for lookup
  int max_token_length_ = 0;
};

struct GenerateOptions {
  int max_tokens = 256;      // new tokens to generate at most (>= 0)
  float temperature = 1.0f;  // 0 = greedy (argmax); must be >= 0
  float top_p = 0.9f;        // nucleus sampling when 0 < top_p < 1, else plain multinomial
  std::uint64_t seed = 0;    // seeds the call's private RNG
};

struct GenerateResult {
  std::string text;           // newly generated text only (the prompt is not included)
  int prompt_tokens = 0;      // prompt tokens fed to the model, BOS included, after truncation
  int completion_tokens = 0;  // tokens generated, not counting a final BOS/EOS
  bool prompt_truncated = false;
  std::string finish_reason;  // "stop" (model produced BOS or EOS) or "length"
};

// Thrown by Session::generate when the `cancelled` callback returns true.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("llama2c: generation cancelled") {}
};

// Context-window rules of Session::generate (seq_len = Config::seq_len, P = number of prompt
// tokens including BOS, M = requested max_tokens):
//   1. M is capped to seq_len - min(P, kMinPromptKeep), so at least BOS plus a few of the
//      last prompt tokens always stay in the context.
//   2. If P + M > seq_len, the prompt is truncated from the LEFT: BOS is kept, followed by
//      the last seq_len - M - 1 prompt tokens; prompt_truncated is set.
// So P + M <= seq_len always holds for what is actually run.
inline constexpr int kMinPromptKeep = 8;

class Session {
 public:
  Session(std::shared_ptr<const Weights> weights, std::shared_ptr<const Tokenizer> tokenizer);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  // Encodes `prompt` with BOS, runs it, then samples up to max_tokens new tokens. Stops early
  // on BOS or EOS. `cancelled` (if set) is polled before the prompt and every few tokens;
  // when it returns true, Cancelled is thrown. Throws std::invalid_argument on bad options.
  GenerateResult generate(std::string_view prompt, const GenerateOptions& options,
                          const std::function<bool()>& cancelled = {});

  // Same, with an already tokenized prompt (must start with BOS to match generate()).
  GenerateResult generate_tokens(std::span<const int> prompt_tokens, const GenerateOptions& options,
                                 const std::function<bool()>& cancelled = {});

  // Runs one token at `pos` (0 <= pos < seq_len) and returns the logits (vocab_size floats,
  // valid until the next call). Positions must be fed in order 0, 1, 2, ... for a sequence.
  std::span<const float> forward(int token, int pos);

  const Weights& weights() const;
  const Tokenizer& tokenizer() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// Which compute kernels this process uses: "avx2" or "baseline" (portable 4-lane SIMD). Both
// give bit-identical results. TRUSTLLM_LLAMA2C_ISA=baseline in the environment forces baseline.
std::string_view kernel_isa();

}  // namespace trustllm::llama2c
