// Hands work that finishes out of order (64 workers, each on its own item) to one consumer in
// index order: item i is consumed only after items 0..i-1, one item at a time, whichever worker
// happens to finish the item that is next in line. The consumer runs without the lock held, so
// workers that only park an item never wait for it.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <utility>

namespace trustllm::engine {

template <class T>
class InOrder {
 public:
  // Called for items 0, 1, 2, ... in that order, never twice at the same time. Returns how
  // many items were parked (waiting for an earlier one) when this one arrived.
  template <class Consume>
  size_t finished(size_t index, T value, Consume&& consume) {
    std::unique_lock lock(mutex_);
    const size_t waiting = parked_.size();
    parked_.emplace(index, std::move(value));
    if (draining_) return waiting;  // the draining thread takes it when it is next in line
    draining_ = true;
    while (!parked_.empty() && parked_.begin()->first == next_) {
      auto node = parked_.extract(parked_.begin());
      ++next_;
      lock.unlock();
      try {
        consume(node.mapped());
      } catch (...) {
        lock.lock();
        draining_ = false;
        throw;
      }
      lock.lock();
    }
    draining_ = false;
    return waiting;
  }

  // Drops every parked item (the caller gave up on the order); later items still arrive.
  void clear() {
    std::lock_guard lock(mutex_);
    parked_.clear();
  }

  // How many items were consumed so far (all of them once next() == the item count).
  size_t next() const {
    std::lock_guard lock(mutex_);
    return next_;
  }

  // Items finished but still waiting for an earlier one.
  size_t parked() const {
    std::lock_guard lock(mutex_);
    return parked_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::map<size_t, T> parked_;
  size_t next_ = 0;
  bool draining_ = false;
};

}  // namespace trustllm::engine
