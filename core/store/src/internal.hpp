// Internal: the Impl structs shared by RunDb, CacheDb and Writer, the schema and the row writers.
#pragma once

#include "connection.hpp"
#include "trustllm/store/cache_db.hpp"
#include "trustllm/store/rows.hpp"
#include "trustllm/store/run_db.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace trustllm::store {

namespace detail {

inline constexpr const char* kCacheDdl =
    "CREATE TABLE IF NOT EXISTS cache("
    " key TEXT PRIMARY KEY NOT NULL,"
    " inputs TEXT NOT NULL,"
    " response TEXT NOT NULL,"
    " created_at TEXT NOT NULL);";

inline constexpr const char* kRunDdl =
    "CREATE TABLE IF NOT EXISTS samples("
    " task TEXT NOT NULL,"
    " item_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL,"
    " prompt TEXT NOT NULL,"
    " response TEXT,"
    " response_meta TEXT NOT NULL DEFAULT '{}',"
    " status TEXT NOT NULL CHECK (status IN ('ok','failed')),"
    " error TEXT,"
    " created_at TEXT NOT NULL,"
    " sample TEXT NOT NULL DEFAULT '{}',"
    " PRIMARY KEY (task, item_id));"
    "CREATE INDEX IF NOT EXISTS samples_by_seq ON samples(task, seq);"
    "CREATE TABLE IF NOT EXISTS evaluations("
    " task TEXT NOT NULL,"
    " item_id TEXT NOT NULL,"
    " metric_key TEXT NOT NULL,"
    " record TEXT NOT NULL,"
    " PRIMARY KEY (task, item_id, metric_key));"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tasks(task TEXT PRIMARY KEY NOT NULL, info TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE IF NOT EXISTS cache("
    " key TEXT PRIMARY KEY NOT NULL,"
    " inputs TEXT NOT NULL,"
    " response TEXT NOT NULL,"
    " created_at TEXT NOT NULL);";

// Writes samples/evaluations with statements fetched once (call inside write_txn, under lock).
class SampleWriter {
 public:
  explicit SampleWriter(Connection& conn);
  // Replaces the sample and deletes all of its previous evaluations.
  void sample(const SampleRow& row);
  void evaluation(const EvaluationRow& row);

 private:
  Stmt insert_sample_;
  Stmt delete_evaluations_;
  Stmt insert_evaluation_;
};

class CacheWriter {
 public:
  explicit CacheWriter(Connection& conn);
  void entry(const CacheEntry& entry, const std::string& created_at);

 private:
  Stmt insert_;
};

// Throws std::invalid_argument for a status other than "ok" / "failed".
void validate_sample(const SampleRow& row);

}  // namespace detail

struct RunDb::Impl {
  std::shared_ptr<detail::Connection> write;  // shared with a CacheDb in the same file
  std::unique_ptr<detail::Connection> read;
};

struct CacheDb::Impl {
  std::shared_ptr<detail::Connection> write;
  std::unique_ptr<detail::Connection> read;

  // Entries queued in a Writer and not committed yet (read-your-writes for get()).
  struct Pending {
    CacheEntry entry;
    int count = 0;
  };
  std::mutex pending_mutex;
  std::unordered_map<std::string, Pending> pending;

  // Negative lookups without SQLite: set when this process owns the cache (the run's own file,
  // no --cache) and the table was empty when the run opened it. Then the only entries the
  // database can hold are the ones this process wrote, whose key hashes are in `written`; any
  // other key is a miss. A hash collision only sends a lookup to SQLite. Turned off when the set
  // grows past kMaxWritten (memory stays bounded). Another process that named this run's file
  // as its --cache while the run goes on could add entries this run then misses: it would ask
  // the model again, never return a wrong answer.
  static constexpr size_t kMaxWritten = size_t{1} << 22;
  bool owned_and_empty = false;
  std::unordered_set<size_t> written;

  void stage(const CacheEntry& entry);
  void unstage(const std::string& key);
  void note_written(const std::string& key);  // with pending_mutex held
  bool known_absent(const std::string& key) const;  // with pending_mutex held
};

}  // namespace trustllm::store
