// Wall-clock timestamps and a monotonic stopwatch.
#pragma once

#include <chrono>
#include <string>

namespace trustllm::util {

// Current UTC time as ISO 8601 with milliseconds, e.g. "2024-05-01T12:34:56.789Z".
std::string iso8601_utc_now();

// Formats a system_clock time point the same way as iso8601_utc_now().
std::string iso8601_utc(std::chrono::system_clock::time_point t);

// Measures elapsed time on the monotonic (steady) clock; starts at construction.
class Stopwatch {
 public:
  using clock = std::chrono::steady_clock;

  Stopwatch() : start_(clock::now()) {}

  void reset() { start_ = clock::now(); }
  clock::duration elapsed() const { return clock::now() - start_; }
  double seconds() const { return std::chrono::duration<double>(elapsed()).count(); }
  double milliseconds() const { return std::chrono::duration<double, std::milli>(elapsed()).count(); }

 private:
  clock::time_point start_;
};

}  // namespace trustllm::util
