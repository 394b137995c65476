#include "trustllm/store/writer.hpp"

#include "internal.hpp"
#include "trustllm/store/cache_db.hpp"
#include "trustllm/store/run_db.hpp"
#include "trustllm/util/time.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace trustllm::store {

namespace {

struct Item {
  enum class Kind { sample, evaluations, cache } kind = Kind::sample;
  SampleRow sample;
  std::vector<EvaluationRow> evaluations;
  std::optional<CacheEntry> cache;
  std::string cache_created_at;
};

}  // namespace

struct Writer::Impl {
  std::shared_ptr<RunDb> run;
  std::shared_ptr<CacheDb> cache;
  bool same_file = false;
  WriterOptions options;

  mutable std::mutex mutex;
  std::condition_variable work;   // writer thread waits here
  std::condition_variable done;   // flush() waits here
  std::condition_variable space;  // enqueue waits here when the queue is full
  std::vector<Item> queue;
  std::vector<Item> spare;  // the previous batch's buffer, kept for its capacity
  std::chrono::steady_clock::time_point oldest;
  std::uint64_t enqueued = 0;
  std::uint64_t committed = 0;
  std::uint64_t batches = 0;
  std::uint64_t flush_target = 0;
  bool stop = false;
  std::exception_ptr error;
  std::thread thread;

  void push(Item&& item);
  void loop();
  void write(std::vector<Item>& batch);
};

void Writer::Impl::push(Item&& item) {
  std::unique_lock lock(mutex);
  if (error) std::rethrow_exception(error);
  if (stop) throw std::logic_error("trustllm::store::Writer: enqueue after shutdown");
  space.wait(lock, [&] { return queue.size() < options.max_queued || error; });
  if (error) std::rethrow_exception(error);
  if (queue.empty()) oldest = std::chrono::steady_clock::now();
  queue.push_back(std::move(item));
  ++enqueued;
  // Wake the thread only when its wait condition may have changed (not once per row).
  if (queue.size() == 1 || queue.size() == options.batch_rows) work.notify_one();
}

void Writer::Impl::loop() {
  std::unique_lock lock(mutex);
  for (;;) {
    work.wait(lock, [&] { return stop || !queue.empty(); });
    if (queue.empty()) {
      if (stop) return;
      continue;
    }
    work.wait_until(lock, oldest + options.max_delay,
                    [&] { return stop || queue.size() >= options.batch_rows || flush_target > committed; });
    std::vector<Item> batch;
    batch.swap(spare);  // empty, with capacity from an earlier batch
    batch.swap(queue);
    space.notify_all();
    const bool failed = error != nullptr;
    lock.unlock();
    std::exception_ptr err;
    if (!failed) {
      try {
        write(batch);
      } catch (...) {
        err = std::current_exception();
      }
    }
    if (cache) {
      for (const auto& item : batch) {
        if (item.cache) cache->impl_->unstage(item.cache->key);
      }
    }
    const std::size_t n = batch.size();
    batch.clear();  // destroy the rows outside the lock, keep the capacity
    lock.lock();
    if (spare.capacity() < batch.capacity()) spare.swap(batch);
    if (err && !error) error = err;
    committed += n;
    ++batches;
    if (error) space.notify_all();
    done.notify_all();
  }
}

void Writer::Impl::write(std::vector<Item>& batch) {
  auto& run_conn = *run->impl_->write;
  const bool any_cache = std::any_of(batch.begin(), batch.end(), [](const Item& i) { return i.cache.has_value(); });
  const bool any_run = std::any_of(batch.begin(), batch.end(), [](const Item& i) { return i.kind != Item::Kind::cache; });

  auto write_run = [&](bool with_cache) {
    detail::SampleWriter sw(run_conn);
    std::optional<detail::CacheWriter> cw;
    if (with_cache) cw.emplace(run_conn);
    for (const Item& item : batch) {
      switch (item.kind) {
        case Item::Kind::sample:
          sw.sample(item.sample);
          break;
        case Item::Kind::evaluations:
        case Item::Kind::cache:
          break;
      }
      for (const auto& e : item.evaluations) sw.evaluation(e);
      if (cw && item.cache) cw->entry(*item.cache, item.cache_created_at);
    }
  };

  if (same_file) {
    std::lock_guard lock(run_conn.mutex());
    run_conn.write_txn([&] { write_run(true); });
    return;
  }
  // Separate cache file: cache first, so a crash in between only loses samples that can be
  // re-run from the cache.
  if (any_cache) {
    auto& cache_conn = *cache->impl_->write;
    std::lock_guard lock(cache_conn.mutex());
    cache_conn.write_txn([&] {
      detail::CacheWriter cw(cache_conn);
      for (const Item& item : batch) {
        if (item.cache) cw.entry(*item.cache, item.cache_created_at);
      }
    });
  }
  if (any_run) {
    std::lock_guard lock(run_conn.mutex());
    run_conn.write_txn([&] { write_run(false); });
  }
}

Writer::Writer(std::shared_ptr<RunDb> run, std::shared_ptr<CacheDb> cache, WriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (!run) throw std::invalid_argument("trustllm::store::Writer: a RunDb is required");
  impl_->run = std::move(run);
  impl_->cache = std::move(cache);
  impl_->same_file = impl_->cache && impl_->cache->shares_file_with(*impl_->run);
  options.batch_rows = std::max<std::size_t>(options.batch_rows, 1);
  options.max_queued = std::max(options.max_queued, options.batch_rows);
  impl_->options = options;
  impl_->thread = std::thread([impl = impl_.get()] { impl->loop(); });
}

Writer::~Writer() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stop = true;
  }
  impl_->work.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->error) {
    try {
      std::rethrow_exception(impl_->error);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "error: writing %s failed\n", impl_->run->file().c_str());
    }
  }
}

void Writer::enqueue_sample(SampleRow sample, std::vector<EvaluationRow> evaluations, std::optional<CacheEntry> cache) {
  detail::validate_sample(sample);
  for (const auto& e : evaluations) {
    if (e.task != sample.task || e.item_id != sample.item_id) {
      throw std::invalid_argument("Writer::enqueue_sample: evaluation " + e.task + "/" + e.item_id + "/" +
                                  e.metric_key + " does not belong to sample " + sample.task + "/" +
                                  sample.item_id);
    }
  }
  if (cache && !impl_->cache) throw std::invalid_argument("Writer::enqueue_sample: a cache entry needs a CacheDb");
  Item item;
  item.kind = Item::Kind::sample;
  if (sample.created_at.empty()) sample.created_at = util::iso8601_utc_now();
  if (cache) item.cache_created_at = sample.created_at;
  item.sample = std::move(sample);
  item.evaluations = std::move(evaluations);
  std::optional<std::string> staged_key;
  if (cache) {
    impl_->cache->impl_->stage(*cache);
    staged_key = cache->key;
  }
  item.cache = std::move(cache);
  try {
    impl_->push(std::move(item));
  } catch (...) {
    if (staged_key) impl_->cache->impl_->unstage(*staged_key);
    throw;
  }
}

void Writer::enqueue_evaluations(std::vector<EvaluationRow> evaluations) {
  if (evaluations.empty()) return;
  Item item;
  item.kind = Item::Kind::evaluations;
  item.evaluations = std::move(evaluations);
  impl_->push(std::move(item));
}

void Writer::enqueue_cache(CacheEntry entry) {
  if (!impl_->cache) throw std::invalid_argument("Writer::enqueue_cache: the Writer has no CacheDb");
  Item item;
  item.kind = Item::Kind::cache;
  item.cache_created_at = util::iso8601_utc_now();
  impl_->cache->impl_->stage(entry);
  const std::string key = entry.key;
  item.cache = std::move(entry);
  try {
    impl_->push(std::move(item));
  } catch (...) {
    impl_->cache->impl_->unstage(key);
    throw;
  }
}

void Writer::flush() {
  std::unique_lock lock(impl_->mutex);
  const std::uint64_t target = impl_->enqueued;
  if (impl_->committed < target) {
    impl_->flush_target = std::max(impl_->flush_target, target);
    impl_->work.notify_one();
    impl_->done.wait(lock, [&] { return impl_->committed >= target; });
  }
  if (impl_->error) std::rethrow_exception(impl_->error);
}

Writer::Stats Writer::stats() const {
  std::lock_guard lock(impl_->mutex);
  return Stats{impl_->enqueued, impl_->committed, impl_->batches};
}

}  // namespace trustllm::store
