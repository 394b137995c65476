#include <trustllm/engine/progress.hpp>
#include <unistd.h>

#include <cstdio>

namespace trustllm::engine {

Progress::Progress(bool enabled, std::string label, uint64_t total)
    : enabled_(enabled), label_(std::move(label)), total_(total),
      start_(std::chrono::steady_clock::now()), last_draw_() {}

Progress::~Progress() { finish(); }

bool Progress::stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

void Progress::advance(uint64_t n, bool cached, bool failed) {
  done_ += n;
  if (cached) cached_ += n;
  if (failed) failed_ += n;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (finished_) return;
  finished_ = true;
  draw(true);
  std::fputc('\n', stderr);
}

void Progress::draw(bool final) {
  const uint64_t done = done_.load();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
  const int width = 28;
  const double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  char eta[32] = "--:--";
  if (rate > 0 && total_ >= done) {
    const long s = static_cast<long>(static_cast<double>(total_ - done) / rate);
    std::snprintf(eta, sizeof eta, "%02ld:%02ld", s / 60, s % 60);
  }
  std::fprintf(stderr, "\r%-22.22s [%s] %llu/%llu  %.1f/s  eta %s  cached %llu  failed %llu%s",
               label_.c_str(), bar.c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total_), rate, final ? "00:00" : eta,
               static_cast<unsigned long long>(cached_.load()),
               static_cast<unsigned long long>(failed_.load()), "\x1b[K");
  std::fflush(stderr);
}

}  // namespace trustllm::engine
