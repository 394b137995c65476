// llama2.c tokenizer: loading, BPE encoding with byte fallback, decoding.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <queue>
#include <stdexcept>
#include <string>

#include "llama2c.hpp"

namespace trustllm::llama2c {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// One byte per entry, so decode() can hand out views of raw bytes.
const std::array<char, 256>& byte_table() {
  static const std::array<char, 256> table = [] {
    std::array<char, 256> t{};
    for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = static_cast<char>(i);
    return t;
  }();
  return table;
}

// Parses "<0xXX>" (uppercase or lowercase hex) and returns the byte, or -1.
int parse_byte_piece(std::string_view s) {
  if (s.size() != 6 || s[0] != '<' || s[1] != '0' || s[2] != 'x' || s[5] != '>') return -1;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  const int hi = hex(s[3]), lo = hex(s[4]);
  if (hi < 0 || lo < 0) return -1;
  return hi * 16 + lo;
}

constexpr int kByteTokenOffset = 3;  // <0x00> is id 3 in llama2.c SentencePiece vocabularies
constexpr float kNoMergeScore = -1e10f;

}  // namespace

std::shared_ptr<const Tokenizer> Tokenizer::load(const std::string& path, int vocab_size) {
  if (vocab_size < kByteTokenOffset + 256) {
    fail(path, "model vocab_size " + std::to_string(vocab_size) +
                   " is too small for a byte-fallback tokenizer (needs >= 259)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(path, "read error");

  std::size_t off = 0;
  auto read_i32 = [&](std::int32_t& v) {
    if (data.size() - off < 4) return false;
    std::memcpy(&v, data.data() + off, 4);
    off += 4;
    return true;
  };
  auto read_f32 = [&](float& v) {
    if (data.size() - off < 4) return false;
    std::memcpy(&v, data.data() + off, 4);
    off += 4;
    return true;
  };

  std::int32_t max_len = 0;
  if (!read_i32(max_len)) {
    fail(path, "file is " + std::to_string(data.size()) + " bytes - not a llama2.c tokenizer");
  }
  if (max_len < 1 || max_len > 4096) {
    fail(path, "max_token_length " + std::to_string(max_len) +
                   " is implausible - not a llama2.c "
                   "tokenizer");
  }

  std::shared_ptr<Tokenizer> t(new Tokenizer());
  t->path_ = path;
  t->max_token_length_ = max_len;
  t->pieces_.reserve(static_cast<std::size_t>(vocab_size));
  t->scores_.reserve(static_cast<std::size_t>(vocab_size));
  for (int i = 0; i < vocab_size; ++i) {
    float score = 0;
    std::int32_t len = 0;
    if (!read_f32(score) || !read_i32(len) || len < 0 ||
        static_cast<std::size_t>(len) > data.size() - off) {
      fail(path, "file ends inside token " + std::to_string(i) + " of " +
                     std::to_string(vocab_size) +
                     " - not a llama2.c tokenizer for this model (vocabulary too small?)");
    }
    if (len > max_len) {
      fail(path, "token " + std::to_string(i) + " has length " + std::to_string(len) +
                     " > max_token_length " + std::to_string(max_len) +
                     " - not a llama2.c tokenizer");
    }
    if (!std::isfinite(score)) {
      fail(path, "token " + std::to_string(i) +
                     " has a non-finite score - not a llama2.c "
                     "tokenizer");
    }
    t->scores_.push_back(score);
    t->pieces_.emplace_back(data.data() + off, static_cast<std::size_t>(len));
    off += static_cast<std::size_t>(len);
  }
  if (off != data.size()) {
    fail(path, std::to_string(data.size() - off) + " bytes left after " +
                   std::to_string(vocab_size) +
                   " tokens - tokenizer vocabulary does not match the model's vocab_size");
  }

  t->byte_value_.assign(static_cast<std::size_t>(vocab_size), -1);
  for (int i = 0; i < vocab_size; ++i) {
    t->byte_value_[static_cast<std::size_t>(i)] =
        static_cast<std::int16_t>(parse_byte_piece(t->pieces_[static_cast<std::size_t>(i)]));
  }
  for (int b = 0; b < 256; ++b) {
    if (t->byte_value_[static_cast<std::size_t>(b + kByteTokenOffset)] != b) {
      char expected[8];
      std::snprintf(expected, sizeof expected, "<0x%02X>", b);
      fail(path, "token " + std::to_string(b + kByteTokenOffset) + " is not " + expected +
                     " - not a byte-fallback llama2.c tokenizer");
    }
  }

  t->sorted_.reserve(t->pieces_.size());
  for (std::size_t i = 0; i < t->pieces_.size(); ++i) {
    t->sorted_.emplace_back(std::string_view(t->pieces_[i]), static_cast<int>(i));
  }
  std::sort(t->sorted_.begin(), t->sorted_.end());
  return t;
}

int Tokenizer::lookup(std::string_view piece) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), piece,
                             [](const std::pair<std::string_view, int>& e, std::string_view key) {
                               return e.first < key;
                             });
  if (it != sorted_.end() && it->first == piece) return it->second;
  return -1;
}

std::vector<int> Tokenizer::encode(std::string_view text, bool bos, bool eos) const {
  std::vector<int> ids;
  ids.reserve(text.size() + 3);
  if (bos) ids.push_back(kBosToken);
  const std::size_t first = ids.size();

  // Dummy prefix: SentencePiece treats the text as if it started with a space.
  if (!text.empty()) {
    const int space = lookup(" ");
    ids.push_back(space >= 0 ? space : ' ' + kByteTokenOffset);
  }

  // One symbol per UTF-8 code point (at most 4 bytes), or one per byte when not in the vocab.
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t len = 1;
    while (len < 4 && i + len < text.size() &&
           (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) {
      ++len;
    }
    const std::string_view cp = text.substr(i, len);
    const int id = lookup(cp);
    if (id >= 0) {
      ids.push_back(id);
    } else {
      for (char c : cp) ids.push_back(static_cast<unsigned char>(c) + kByteTokenOffset);
    }
    i += len;
  }

  // BPE merges: repeatedly merge the adjacent pair whose concatenation is a piece with the
  // highest score, leftmost first on ties. A heap with lazy invalidation gives the same merge
  // order as llama2.c's quadratic rescans in O(n log n).
  const int n = static_cast<int>(ids.size() - first);
  if (n >= 2) {
    int* tok = ids.data() + first;
    std::vector<int> next(static_cast<std::size_t>(n)), prev(static_cast<std::size_t>(n));
    for (int k = 0; k < n; ++k) {
      next[static_cast<std::size_t>(k)] = k + 1 < n ? k + 1 : -1;
      prev[static_cast<std::size_t>(k)] = k - 1;
    }
    std::vector<char> alive(static_cast<std::size_t>(n), 1);
    struct Cand {
      float score;
      int left, right, ltok, rtok, merged;
    };
    auto worse = [](const Cand& a, const Cand& b) {
      if (a.score != b.score) return a.score < b.score;
      return a.left > b.left;
    };
    std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> heap(worse);
    std::string buf;
    buf.reserve(static_cast<std::size_t>(2 * max_token_length_ + 2));
    auto consider = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      const int lt = tok[left], rt = tok[right];
      buf.assign(pieces_[static_cast<std::size_t>(lt)]);
      buf.append(pieces_[static_cast<std::size_t>(rt)]);
      const int id = lookup(buf);
      if (id < 0) return;
      const float sc = scores_[static_cast<std::size_t>(id)];
      if (!(sc > kNoMergeScore)) return;
      heap.push(Cand{sc, left, right, lt, rt, id});
    };
    for (int k = 0; k + 1 < n; ++k) consider(k, k + 1);
    while (!heap.empty()) {
      const Cand c = heap.top();
      heap.pop();
      const auto l = static_cast<std::size_t>(c.left), r = static_cast<std::size_t>(c.right);
      if (!alive[l] || !alive[r] || next[l] != c.right || tok[c.left] != c.ltok ||
          tok[c.right] != c.rtok) {
        continue;  // stale
      }
      tok[c.left] = c.merged;
      alive[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[static_cast<std::size_t>(next[r])] = c.left;
      consider(prev[l], c.left);
      consider(c.left, next[l]);
    }
    std::size_t out = first;
    for (int k = 0; k >= 0; k = next[static_cast<std::size_t>(k)]) ids[out++] = tok[k];
    ids.resize(out);
  }
  if (eos) ids.push_back(kEosToken);
  return ids;
}

std::string_view Tokenizer::decode(int prev_token, int token) const {
  if (token < 0 || token >= vocab_size()) return {};
  const auto t = static_cast<std::size_t>(token);
  const int b = byte_value_[t];
  if (b >= 0) return std::string_view(&byte_table()[static_cast<std::size_t>(b)], 1);
  std::string_view piece = pieces_[t];
  if (prev_token == kBosToken && !piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
  return piece;
}

std::string Tokenizer::decode_all(std::span<const int> tokens, int prev_token) const {
  std::string out;
  for (int t : tokens) {
    out.append(decode(prev_token, t));
    prev_token = t;
  }
  return out;
}

}  // namespace trustllm::llama2c
