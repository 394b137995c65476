// Single-thread generation throughput of the llama2.c engine.
// Usage: llama2c_bench [model_dir] [runs] [tokens_per_run]
//   model_dir defaults to $TRUSTLLM_MODEL_DIR/tinyllamas-stories260K, else the shared models.
// Prints one JSON line (wall-clock numbers first; cpu_* use this thread's CPU time, which is
// what matters on a busy machine):
//   {"bench":"llama2c","tokens":N,"seconds":S,"tokens_per_second":R,"cpu_seconds":C,
//    "cpu_tokens_per_second":RC,"isa":"avx2"|"baseline"}
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "llama2c.hpp"

using namespace trustllm::llama2c;

static double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
  try {
    std::string dir;
    if (argc > 1) {
      dir = argv[1];
    } else if (const char* env = std::getenv("TRUSTLLM_MODEL_DIR"); env && *env) {
      dir = std::string(env) + "/tinyllamas-stories260K";
    } else {
      dir = std::string(TRUSTLLM_DEFAULT_MODEL_DIR) + "/tinyllamas-stories260K";
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 20;
    const int tokens_per_run = argc > 3 ? std::atoi(argv[3]) : 256;

    auto weights = Weights::load(dir + "/stories260K.bin");
    auto tokenizer = Tokenizer::load(dir + "/tok512.bin", weights->config().vocab_size);
    Session session(weights, tokenizer);

    // Warm-up (page in the weights, size the buffers).
    GenerateOptions opt;
    opt.max_tokens = 16;
    opt.temperature = 1.0f;
    opt.top_p = 0.9f;
    session.generate("", opt);

    // Generation stops at EOS; count what was actually produced, and restart with a new seed
    // until each run has generated tokens_per_run tokens.
    opt.max_tokens = tokens_per_run;
    long long tokens = 0;
    std::uint64_t seed = 1;
    const double cpu_start = thread_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    for (int run = 0; run < runs; ++run) {
      int produced = 0;
      while (produced < tokens_per_run) {
        opt.seed = seed++;
        opt.max_tokens = tokens_per_run - produced;
        const GenerateResult r = session.generate("", opt);
        produced += r.completion_tokens + (r.finish_reason == "stop" ? 1 : 0);
      }
      tokens += produced;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = thread_cpu_seconds() - cpu_start;
    std::printf(
        "{\"bench\":\"llama2c\",\"tokens\":%lld,\"seconds\":%.4f,\"tokens_per_second\":%.1f,"
        "\"cpu_seconds\":%.4f,\"cpu_tokens_per_second\":%.1f,\"isa\":\"%s\"}\n",
        tokens, seconds, static_cast<double>(tokens) / seconds, cpu,
        static_cast<double>(tokens) / cpu, std::string(kernel_isa()).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "llama2c_bench: %s\n", e.what());
    return 1;
  }
}
