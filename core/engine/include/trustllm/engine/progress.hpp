// A progress line on stderr (only when stderr is a terminal): counts, rate and ETA.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace trustllm::engine {

class Progress {
 public:
  // enabled=false makes every call a no-op (not a terminal, or --quiet).
  Progress(bool enabled, std::string label, uint64_t total);
  ~Progress();
  void advance(uint64_t n = 1, bool cached = false, bool failed = false);
  void finish();
  static bool stderr_is_terminal();

 private:
  void draw(bool final);
  bool enabled_;
  std::string label_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0}, cached_{0}, failed_{0};
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::mutex mutex_;
  bool finished_ = false;
};

}  // namespace trustllm::engine
