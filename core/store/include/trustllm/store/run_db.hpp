// The run database: <out>/run.sqlite, holding the samples, evaluations, meta data and tasks of
// one output folder.
#pragma once

#include "trustllm/store/error.hpp"
#include "trustllm/store/rows.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace trustllm::store {

class CacheDb;
class Writer;

// Tables:
//   samples     (task, item_id, seq, prompt, response NULL, response_meta JSON, status 'ok'|'failed',
//                error NULL, created_at; PRIMARY KEY(task, item_id))
//   evaluations (task, item_id, metric_key, record JSON; PRIMARY KEY(task, item_id, metric_key))
//   meta        (key PRIMARY KEY, value)
//   tasks       (task PRIMARY KEY, info JSON)
//   cache       (see CacheDb)
//
// Thread-safe. Opened in WAL mode with synchronous=NORMAL; SQLITE_BUSY is retried internally.
// Every error is a StoreError with one line naming the file and what to do.
// Reads go through a separate connection and see committed data only (Writer::flush() first).
class RunDb {
 public:
  // Opens (creating if needed) the database file. Throws StoreError, e.g. when the file is
  // corrupt, not a database, or written by a newer trustllm.
  explicit RunDb(const std::filesystem::path& file);
  ~RunDb();
  RunDb(const RunDb&) = delete;
  RunDb& operator=(const RunDb&) = delete;

  const std::filesystem::path& file() const;

  // ---- samples & evaluations
  // item_ids of the task's samples with status 'ok' (failed ones are retried on resume).
  std::unordered_set<std::string> done_items(const std::string& task);
  // Calls fn for every sample of the task in `seq` order. fn may call other RunDb methods.
  void for_each_sample(const std::string& task, const std::function<void(const SampleRow&)>& fn);
  // Calls fn for every evaluation of (task, metric_key) in the samples' `seq` order.
  // An empty metric_key means every metric of the task (ordered by seq, then metric_key).
  void for_each_evaluation(const std::string& task, const std::string& metric_key,
                           const std::function<void(const EvaluationRow&)>& fn);
  std::optional<SampleRow> get_sample(const std::string& task, const std::string& item_id);
  // Number of samples of the task (all tasks when `task` is empty).
  std::int64_t count_samples(const std::string& task = {});

  // Writes one sample and its evaluations in one transaction, replacing an existing sample with
  // the same (task, item_id) together with ALL of its old evaluations. Use a Writer for speed.
  void put_sample(const SampleRow& sample, const std::vector<EvaluationRow>& evaluations = {});
  // Inserts or replaces evaluation records (one transaction).
  void put_evaluations(const std::vector<EvaluationRow>& evaluations);
  // Deletes the records of one metric for a task (to re-evaluate it).
  void delete_evaluations(const std::string& task, const std::string& metric_key);
  // Deletes every sample and evaluation (meta, tasks and cache are kept).
  void clear_samples();

  // ---- meta (key/value strings)
  void put_meta(const std::string& key, const std::string& value);
  std::optional<std::string> get_meta(const std::string& key);

  // ---- tasks
  // Registers a task (or replaces its info JSON); registration order is kept.
  void put_task(const std::string& task, const std::string& info_json);
  std::optional<std::string> task_info(const std::string& task);
  // Registered tasks in registration order, then tasks that only have samples, by name.
  std::vector<std::string> tasks();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend class CacheDb;
  friend class Writer;
};

}  // namespace trustllm::store
