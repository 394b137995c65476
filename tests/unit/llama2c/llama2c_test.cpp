// Tests of the llama2.c inference engine against the real stories260K model.
// Model folder: $TRUSTLLM_MODEL_DIR/tinyllamas-stories260K, else TRUSTLLM_DEFAULT_MODEL_DIR
// (<repo>/../shared/models). Model tests are skipped with a message if neither exists.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "llama2c.hpp"

namespace fs = std::filesystem;
using namespace trustllm::llama2c;

namespace {

fs::path model_dir() {
  if (const char* env = std::getenv("TRUSTLLM_MODEL_DIR"); env != nullptr && *env != '\0') {
    return fs::path(env) / "tinyllamas-stories260K";
  }
  return fs::path(TRUSTLLM_DEFAULT_MODEL_DIR) / "tinyllamas-stories260K";
}

bool have_model() {
  const fs::path d = model_dir();
  return fs::exists(d / "stories260K.bin") && fs::exists(d / "tok512.bin") &&
         fs::exists(d / "expected-greedy-256-steps.txt");
}

#define REQUIRE_MODEL()                                                             \
  do {                                                                              \
    if (!have_model()) {                                                            \
      MESSAGE("SKIPPED: model files not found in " << model_dir().string()          \
                                                   << " (set TRUSTLLM_MODEL_DIR)"); \
      return;                                                                       \
    }                                                                               \
  } while (0)

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// Loaded once; Weights and Tokenizer are immutable and shareable.
struct Model {
  std::shared_ptr<const Weights> weights;
  std::shared_ptr<const Tokenizer> tokenizer;
};

const Model& model() {
  static const Model m = [] {
    Model r;
    r.weights = Weights::load((model_dir() / "stories260K.bin").string());
    r.tokenizer =
        Tokenizer::load((model_dir() / "tok512.bin").string(), r.weights->config().vocab_size);
    return r;
  }();
  return m;
}

GenerateOptions greedy(int max_tokens) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.temperature = 0.0f;
  return o;
}

GenerateOptions sampled(int max_tokens, std::uint64_t seed, float top_p = 0.9f) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.temperature = 1.0f;
  o.top_p = top_p;
  o.seed = seed;
  return o;
}

// llama2.c's original quadratic merge loop, as an independent reference for encode().
std::vector<int> reference_encode(const Tokenizer& tok, std::string_view text) {
  std::vector<int> ids;
  if (!text.empty()) ids.push_back(tok.lookup(" "));
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t len = 1;
    while (len < 4 && i + len < text.size() &&
           (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) {
      ++len;
    }
    const int id = tok.lookup(text.substr(i, len));
    if (id >= 0) {
      ids.push_back(id);
    } else {
      for (std::size_t k = 0; k < len; ++k)
        ids.push_back(static_cast<unsigned char>(text[i + k]) + 3);
    }
    i += len;
  }
  for (;;) {
    float best_score = -1e10f;
    int best_id = -1;
    std::size_t best_idx = 0;
    for (std::size_t k = 0; k + 1 < ids.size(); ++k) {
      const std::string merged =
          std::string(tok.piece(ids[k])) + std::string(tok.piece(ids[k + 1]));
      const int id = tok.lookup(merged);
      if (id >= 0 && tok.score(id) > best_score) {
        best_score = tok.score(id);
        best_id = id;
        best_idx = k;
      }
    }
    if (best_id < 0) break;
    ids[best_idx] = best_id;
    ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(best_idx) + 1);
  }
  return ids;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("llama2c_test_" + std::to_string(rd()) + "_" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace

TEST_CASE("kernel selection") {
  const std::string_view isa = kernel_isa();
  MESSAGE("llama2c kernels: " << std::string(isa));
  CHECK((isa == "avx2" || isa == "baseline"));
  if (const char* env = std::getenv("TRUSTLLM_LLAMA2C_ISA");
      env && std::string_view(env) == "baseline") {
    CHECK(isa == "baseline");
  }
}

TEST_CASE("weights: header of stories260K") {
  REQUIRE_MODEL();
  const Config& c = model().weights->config();
  CHECK(c.dim == 64);
  CHECK(c.hidden_dim == 172);
  CHECK(c.n_layers == 5);
  CHECK(c.n_heads == 8);
  CHECK(c.n_kv_heads == 4);
  CHECK(c.vocab_size == 512);
  CHECK(c.seq_len == 512);
  CHECK(c.shared_classifier);
  CHECK(model().weights->wcls == model().weights->token_embedding);
}

TEST_CASE("golden: greedy 256 steps reproduces llama2.c run.c byte for byte") {
  REQUIRE_MODEL();
  const std::string golden = read_file(model_dir() / "expected-greedy-256-steps.txt");
  REQUIRE(golden.size() == 566);
  Session session(model().weights, model().tokenizer);

  // run.c with -n 256 runs positions 0..255. The token fed at position p produces the token
  // printed at p+1, so from a prompt of P tokens (BOS included) it prints the P-1 prompt
  // pieces and 256 - (P-1) = 257 - P generated tokens, then a final "\n".
  SUBCASE("prompt \"Once upon a time\"") {
    const std::string prompt = "Once upon a time";
    const int n_prompt = static_cast<int>(model().tokenizer->encode(prompt, true, false).size());
    const GenerateResult r = session.generate(prompt, greedy(257 - n_prompt));
    CHECK(r.prompt_tokens == n_prompt);
    CHECK_FALSE(r.prompt_truncated);
    CHECK(r.completion_tokens == 257 - n_prompt);
    CHECK(r.finish_reason == "length");
    CHECK(prompt + r.text + "\n" == golden);
  }
  SUBCASE("empty prompt: only BOS") {
    const GenerateResult r = session.generate("", greedy(256));
    CHECK(r.prompt_tokens == 1);
    CHECK(r.completion_tokens == 256);  // 257 - P with P = 1
    CHECK(r.text + "\n" == golden);
  }
  SUBCASE("forward(): first greedy token after BOS") {
    const std::span<const float> logits = session.forward(kBosToken, 0);
    REQUIRE(logits.size() == 512);
    const int best =
        static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    CHECK(model().tokenizer->decode(kBosToken, best) == "Once");
  }
}

TEST_CASE("tokenizer: encode/decode") {
  REQUIRE_MODEL();
  const Tokenizer& tok = *model().tokenizer;
  CHECK(tok.vocab_size() == 512);

  SUBCASE("known tokens of \"Once upon a time\"") {
    const std::vector<int> ids = tok.encode("Once upon a time", true, false);
    CHECK(ids.size() == 5);  // BOS " Once" " upon" " a" " time"
    REQUIRE(!ids.empty());
    CHECK(ids.front() == kBosToken);
    CHECK(tok.piece(ids[1]) == " Once");
    CHECK(tok.decode(kBosToken, ids[1]) == "Once");  // leading space dropped after BOS
    CHECK(tok.decode(ids[1], ids[2]) == " upon");
    const std::vector<int> with_eos = tok.encode("Once upon a time", true, true);
    CHECK(with_eos.size() == 6);
    CHECK(with_eos.back() == kEosToken);
  }
  SUBCASE("empty text") {
    CHECK(tok.encode("", true, false) == std::vector<int>{kBosToken});
    CHECK(tok.encode("", false, false).empty());
    CHECK(tok.encode("", true, true) == std::vector<int>{kBosToken, kEosToken});
  }
  SUBCASE("round trips, including byte fallback") {
    const std::vector<std::string> texts = {
        "Once upon a time, there was a little girl named Lily.",
        "Hello, World! 123 {braces} [brackets] ~tilde~",
        "line one\nline two\ttabbed",
        "  two leading spaces",
        // "café naïve 日本語 😀"
        "caf\xc3\xa9 na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80",
        "\x01\x7f control bytes",
        "\xe2\x80\x8a hair space (a vocab piece)",
    };
    for (const std::string& t : texts) {
      CAPTURE(t);
      const std::vector<int> ids = tok.encode(t, true, false);
      CHECK(tok.decode_all(std::span<const int>(ids).subspan(1), kBosToken) == t);
    }
  }
  SUBCASE("byte fallback uses <0xXX> ids = byte + 3") {
    const std::vector<int> ids = tok.encode("\xe6\x97\xa5", false, false);  // 日
    // " " then three byte tokens (no merge can apply to byte pieces)
    REQUIRE(ids.size() == 4);
    CHECK(ids[1] == 0xE6 + 3);
    CHECK(ids[2] == 0x97 + 3);
    CHECK(ids[3] == 0xA5 + 3);
    CHECK(tok.piece(ids[1]) == "<0xE6>");
    CHECK(tok.decode(ids[0], ids[1]) == "\xe6");
  }
  SUBCASE("heap BPE equals llama2.c's quadratic merge loop") {
    const std::vector<std::string> alphabet = {"a",  "e",   "t",        "h",
                                               "o",  "n",   " ",        " ",
                                               ",",  ".",   "s",        "d",
                                               "L",  "\n",  "\xc3\xa9", "\xe2\x80\x8a",
                                               "ly", "the", "ing",      "\xf0\x9f\x98\x80"};
    std::mt19937 gen(12345);
    for (int round = 0; round < 300; ++round) {
      std::string text;
      const int len = static_cast<int>(gen() % 40);
      for (int k = 0; k < len; ++k) text += alphabet[gen() % alphabet.size()];
      CAPTURE(text);
      CHECK(tok.encode(text, false, false) == reference_encode(tok, text));
    }
    const std::string story = read_file(model_dir() / "expected-greedy-256-steps.txt");
    CHECK(tok.encode(story, false, false) == reference_encode(tok, story));
  }
}

TEST_CASE("sampling: seeded, deterministic, top-p") {
  REQUIRE_MODEL();
  Session session(model().weights, model().tokenizer);
  const std::string prompt = "Lily and Ben went to the park";

  const GenerateResult a = session.generate(prompt, sampled(64, 42));
  const GenerateResult b = session.generate(prompt, sampled(64, 42));
  CHECK(a.text == b.text);
  CHECK(a.completion_tokens == b.completion_tokens);
  CHECK(!a.text.empty());

  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    distinct.insert(session.generate(prompt, sampled(64, seed)).text);
  }
  CHECK(distinct.size() >= 3);

  // Plain multinomial (top_p = 1) is seeded too.
  CHECK(session.generate(prompt, sampled(48, 7, 1.0f)).text ==
        session.generate(prompt, sampled(48, 7, 1.0f)).text);

  // A tiny nucleus holds only the most likely token: same as greedy.
  const GenerateResult g = session.generate(prompt, greedy(64));
  CHECK(session.generate(prompt, sampled(64, 99, 1e-6f)).text == g.text);

  // A very low temperature is practically greedy, too.
  GenerateOptions cold = sampled(64, 3, 1.0f);
  cold.temperature = 1e-3f;
  CHECK(session.generate(prompt, cold).text == g.text);
}

TEST_CASE("context window: left truncation and max_tokens cap") {
  REQUIRE_MODEL();
  Session session(model().weights, model().tokenizer);
  const Tokenizer& tok = *model().tokenizer;
  const std::string story = read_file(model_dir() / "expected-greedy-256-steps.txt");
  std::string long_prompt;
  for (int i = 0; i < 4; ++i) long_prompt += story;
  const int n_long = static_cast<int>(tok.encode(long_prompt, true, false).size());
  REQUIRE(n_long > 512);

  SUBCASE("over-long prompt is cut from the left") {
    const GenerateResult r = session.generate(long_prompt, sampled(64, 5));
    CHECK(r.prompt_truncated);
    CHECK(r.prompt_tokens == 512 - 64);
    CHECK(r.completion_tokens > 0);
    CHECK(!r.text.empty());
    // Truncation keeps BOS + the last tokens: same as feeding that token list directly.
    const std::vector<int> all = tok.encode(long_prompt, true, false);
    std::vector<int> kept = {kBosToken};
    kept.insert(kept.end(), all.end() - (512 - 64 - 1), all.end());
    const GenerateResult d = session.generate_tokens(kept, sampled(64, 5));
    CHECK_FALSE(d.prompt_truncated);
    CHECK(d.text == r.text);
  }
  SUBCASE("max_tokens beyond seq_len is capped, keeping BOS + a few prompt tokens") {
    const GenerateResult r = session.generate(long_prompt, greedy(100000));
    CHECK(r.prompt_truncated);
    CHECK(r.prompt_tokens == kMinPromptKeep);
    CHECK(r.prompt_tokens + r.completion_tokens <= 512);
    const GenerateResult e = session.generate("", sampled(100000, 1));
    CHECK_FALSE(e.prompt_truncated);
    CHECK(e.prompt_tokens == 1);
    CHECK(e.completion_tokens <= 511);
  }
  SUBCASE("prompt that just fits is untouched; one more token truncates by one") {
    const std::string prompt = "Once upon a time, there was a little girl named Lily. She loved";
    const int n = static_cast<int>(tok.encode(prompt, true, false).size());
    REQUIRE(n > kMinPromptKeep);
    const GenerateResult r = session.generate(prompt, greedy(512 - n));
    CHECK_FALSE(r.prompt_truncated);
    CHECK(r.prompt_tokens == n);
    const GenerateResult t = session.generate(prompt, greedy(512 - n + 1));
    CHECK(t.prompt_truncated);
    CHECK(t.prompt_tokens == n - 1);
    // A short prompt is never cut by the cap: max_tokens shrinks instead.
    const GenerateResult s = session.generate("Once upon a time", sampled(600, 2, 1.0f));
    CHECK_FALSE(s.prompt_truncated);
    CHECK(s.prompt_tokens == 5);
    CHECK(s.completion_tokens <= 507);
  }
  SUBCASE("zero max_tokens") {
    const GenerateResult r = session.generate("Once upon a time", greedy(0));
    CHECK(r.text.empty());
    CHECK(r.completion_tokens == 0);
    CHECK(r.finish_reason == "length");
  }
  SUBCASE("finish_reason stop") {
    // Sampling many stories: at least one ends with EOS/BOS before 400 tokens.
    bool stopped = false;
    for (std::uint64_t seed = 0; seed < 10 && !stopped; ++seed) {
      const GenerateResult r = session.generate("", sampled(400, seed));
      if (r.finish_reason == "stop") {
        stopped = true;
        CHECK(r.completion_tokens < 400);
      } else {
        CHECK(r.finish_reason == "length");
      }
    }
    CHECK(stopped);
  }
  SUBCASE("bad options") {
    CHECK_THROWS_AS(session.generate("x", greedy(-1)), std::invalid_argument);
    GenerateOptions o = greedy(4);
    o.temperature = -1.0f;
    CHECK_THROWS_AS(session.generate("x", o), std::invalid_argument);
    CHECK_THROWS_AS(session.generate_tokens(std::vector<int>{}, greedy(4)), std::invalid_argument);
    CHECK_THROWS_AS(session.generate_tokens(std::vector<int>{1, 9999}, greedy(4)),
                    std::invalid_argument);
  }
}

TEST_CASE("cancellation throws Cancelled") {
  REQUIRE_MODEL();
  Session session(model().weights, model().tokenizer);
  int calls = 0;
  CHECK_THROWS_AS(session.generate("Once upon a time", greedy(200), [&] { return ++calls > 3; }),
                  Cancelled);
  CHECK(calls == 4);
  CHECK_THROWS_AS(session.generate("x", greedy(10), [] { return true; }), Cancelled);
  // Never-cancelled callback: normal result, and the session is still usable after a cancel.
  const GenerateResult r = session.generate("", greedy(256), [] { return false; });
  CHECK(r.text + "\n" == read_file(model_dir() / "expected-greedy-256-steps.txt"));
}

TEST_CASE("threads: two sessions in parallel equal sequential results") {
  REQUIRE_MODEL();
  const std::vector<std::string> prompts = {"Once upon a time", "The cat", "Tom had a red ball",
                                            "One day, Lily"};
  auto run_all = [&](std::size_t first, std::size_t step, std::vector<std::string>& out) {
    Session s(model().weights, model().tokenizer);
    for (std::size_t i = first; i < prompts.size(); i += step) {
      for (std::uint64_t seed = 0; seed < 3; ++seed) {
        out[i * 3 + seed] = s.generate(prompts[i], sampled(128, seed)).text;
      }
    }
  };
  std::vector<std::string> sequential(prompts.size() * 3), parallel(prompts.size() * 3);
  run_all(0, 1, sequential);
  std::thread t1([&] { run_all(0, 2, parallel); });
  std::thread t2([&] { run_all(1, 2, parallel); });
  t1.join();
  t2.join();
  CHECK(parallel == sequential);
}

TEST_CASE("bad files give one-line errors naming the file") {
  TempDir tmp;
  auto one_line_naming = [](const std::string& msg, const std::string& name) {
    CAPTURE(msg);
    CHECK(msg.find(name) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  };

  SUBCASE("missing files") {
    const std::string p = (tmp.path / "nope.bin").string();
    one_line_naming(error_of([&] { Weights::load(p); }), "nope.bin");
    one_line_naming(error_of([&] { Tokenizer::load(p, 512); }), "nope.bin");
  }
  SUBCASE("tiny and garbage checkpoints") {
    const fs::path tiny = tmp.path / "tiny.bin";
    write_file(tiny, "abc");
    const std::string e1 = error_of([&] { Weights::load(tiny.string()); });
    one_line_naming(e1, "tiny.bin");
    CHECK(e1.find("3 bytes") != std::string::npos);

    const fs::path garbage = tmp.path / "garbage.bin";
    write_file(garbage, std::string(4096, '\x7f'));
    const std::string e2 = error_of([&] { Weights::load(garbage.string()); });
    one_line_naming(e2, "garbage.bin");
    CHECK(e2.find("not a llama2.c checkpoint") != std::string::npos);

    const fs::path v1 = tmp.path / "v1.bin";
    write_file(v1, std::string("\x32\x34\x6b\x61\x01\x00\x00\x00", 8) + std::string(256, '\0'));
    const std::string e3 = error_of([&] { Weights::load(v1.string()); });
    one_line_naming(e3, "v1.bin");
    CHECK(e3.find("ak42") != std::string::npos);
  }
  SUBCASE("truncated checkpoint and wrong tokenizer") {
    REQUIRE_MODEL();
    const std::string bin = read_file(model_dir() / "stories260K.bin");
    const fs::path cut = tmp.path / "stories260K.bin";
    write_file(cut, bin.substr(0, 1000));
    const std::string e1 = error_of([&] { Weights::load(cut.string()); });
    one_line_naming(e1, "stories260K.bin");
    CHECK(e1.find("file is 1000 bytes, header needs 1056540") != std::string::npos);

    const fs::path longer = tmp.path / "longer.bin";
    write_file(longer, bin + "xxxx");
    one_line_naming(error_of([&] { Weights::load(longer.string()); }), "longer.bin");

    // The checkpoint is not a tokenizer.
    one_line_naming(
        error_of([&] { Tokenizer::load((model_dir() / "stories260K.bin").string(), 512); }),
        "stories260K.bin");
    // Right format, wrong vocabulary size.
    const std::string tok_path = (model_dir() / "tok512.bin").string();
    const std::string e2 = error_of([&] { Tokenizer::load(tok_path, 500); });
    one_line_naming(e2, "tok512.bin");
    CHECK(e2.find("vocab_size") != std::string::npos);
    const std::string e3 = error_of([&] { Tokenizer::load(tok_path, 600); });
    one_line_naming(e3, "tok512.bin");
    // Truncated tokenizer.
    const fs::path tcut = tmp.path / "tok_cut.bin";
    write_file(tcut, read_file(tok_path).substr(0, 3000));
    one_line_naming(error_of([&] { Tokenizer::load(tcut.string(), 512); }), "tok_cut.bin");
    // A tokenizer without byte tokens at ids 3..258.
    std::string fake;
    const std::int32_t max_len = 4;
    fake.append(reinterpret_cast<const char*>(&max_len), 4);
    for (int i = 0; i < 512; ++i) {
      const float score = 0.0f;
      const std::int32_t len = 1;
      fake.append(reinterpret_cast<const char*>(&score), 4);
      fake.append(reinterpret_cast<const char*>(&len), 4);
      fake.push_back('a');
    }
    const fs::path nobytes = tmp.path / "nobytes.bin";
    write_file(nobytes, fake);
    const std::string e4 = error_of([&] { Tokenizer::load(nobytes.string(), 512); });
    one_line_naming(e4, "nobytes.bin");
    CHECK(e4.find("<0x00>") != std::string::npos);
  }
}
