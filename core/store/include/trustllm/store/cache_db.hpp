// The response cache: model answers keyed by the sha256 of everything that determined them.
#pragma once

#include "trustllm/store/error.hpp"
#include "trustllm/store/rows.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace trustllm::store {

class RunDb;
class Writer;

// Table `cache` (key TEXT PRIMARY KEY, inputs TEXT, response TEXT, created_at TEXT) in either
// the run's own database file or a separate cache file (`--cache FILE`) that any number of
// processes may read and write at the same time.
//
// Thread-safe. Reads use their own connection, so they never wait for the Writer's
// transactions; entries queued in a Writer but not yet committed are already visible to get().
class CacheDb {
 public:
  // Opens (creating if needed) a standalone cache file. Throws StoreError.
  explicit CacheDb(const std::filesystem::path& file);

  // The cache of a run: the run's own file when `cache_file` is empty or names the same file
  // (then a Writer commits each sample and its cache entry in one transaction), otherwise the
  // shared file `cache_file`.
  static std::shared_ptr<CacheDb> open_for_run(RunDb& run,
                                               const std::optional<std::filesystem::path>& cache_file = {});

  ~CacheDb();
  CacheDb(const CacheDb&) = delete;
  CacheDb& operator=(const CacheDb&) = delete;

  // sha256 (hex) of util::canonical_json(inputs). The engine passes
  // {backend, model, endpoint, request: {messages, every generation parameter, seed}}.
  static std::string make_key(const nlohmann::json& inputs);

  std::optional<std::string> get(const std::string& key);
  std::optional<CacheEntry> get_entry(const std::string& key);

  // Stores (or replaces) one entry in its own transaction. For many entries prefer a Writer.
  void put(const std::string& key, const std::string& inputs_json, const std::string& response_json);
  void put(const CacheEntry& entry) { put(entry.key, entry.inputs, entry.response); }

  std::int64_t size();
  const std::filesystem::path& file() const;
  bool shares_file_with(const RunDb& run) const;

  struct Impl;

 private:
  CacheDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Writer;
};

// The name the engine uses for the cache.
using ResponseCache = CacheDb;

}  // namespace trustllm::store
