// Group commit: a background thread that writes queued rows in batched transactions.
#pragma once

#include "trustllm/store/error.hpp"
#include "trustllm/store/rows.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace trustllm::store {

class RunDb;
class CacheDb;

struct WriterOptions {
  std::size_t batch_rows = 1024;                 // commit as soon as this many writes are queued
  std::chrono::milliseconds max_delay{50};       // ... or when the oldest queued write is this old
  std::size_t max_queued = 64 * 1024;            // enqueue blocks while this many are waiting
};

// Owned by the engine; thread-safe (enqueue from any number of threads).
//
// Each batch is one transaction. When the cache lives in the run's file, a sample, its
// evaluations and its cache entry are always in the same transaction, so a crash (even SIGKILL)
// leaves either all of them or none. With a separate cache file, the cache part of a batch is
// committed first, then the run part: after a crash a sample may be missing but is then re-run
// from the cache.
//
// A failed commit (disk full, ...) is remembered: flush() and later enqueues throw StoreError.
class Writer {
 public:
  explicit Writer(std::shared_ptr<RunDb> run, std::shared_ptr<CacheDb> cache = nullptr,
                  WriterOptions options = {});
  // Flushes; an error is printed to stderr (destructors do not throw).
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a sample (replacing any earlier sample with the same task/item_id and all of its old
  // evaluations), its evaluations and optionally the cache entry of its model response.
  // An empty sample.created_at is set to now. A cache entry requires a CacheDb.
  void enqueue_sample(SampleRow sample, std::vector<EvaluationRow> evaluations = {},
                      std::optional<CacheEntry> cache = std::nullopt);
  // Queues evaluation records alone (insert or replace), e.g. when re-evaluating.
  void enqueue_evaluations(std::vector<EvaluationRow> evaluations);
  // Queues a cache entry alone.
  void enqueue_cache(CacheEntry entry);

  // Blocks until everything enqueued before the call is committed. Throws StoreError.
  void flush();

  struct Stats {
    std::uint64_t enqueued = 0;
    std::uint64_t committed = 0;
    std::uint64_t batches = 0;
  };
  Stats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace trustllm::store
