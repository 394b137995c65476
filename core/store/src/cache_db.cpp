#include "trustllm/store/cache_db.hpp"

#include "internal.hpp"
#include "trustllm/util/canonical_json.hpp"
#include "trustllm/util/sha256.hpp"
#include "trustllm/util/time.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

namespace trustllm::store {

namespace detail {

CacheWriter::CacheWriter(Connection& conn)
    : insert_(conn.cached("INSERT OR REPLACE INTO cache(key, inputs, response, created_at) VALUES(?1, ?2, ?3, ?4)")) {}

void CacheWriter::entry(const CacheEntry& e, const std::string& created_at) {
  insert_.bind(1, e.key).bind(2, e.inputs).bind(3, e.response).bind(4, created_at);
  insert_.run();
}

}  // namespace detail

void CacheDb::Impl::stage(const CacheEntry& entry) {
  std::lock_guard lock(pending_mutex);
  auto& p = pending[entry.key];
  p.entry = entry;
  ++p.count;
}

void CacheDb::Impl::unstage(const std::string& key) {
  std::lock_guard lock(pending_mutex);
  note_written(key);
  auto it = pending.find(key);
  if (it != pending.end() && --it->second.count <= 0) pending.erase(it);
}

void CacheDb::Impl::note_written(const std::string& key) {
  if (!owned_and_empty) return;
  if (written.size() >= kMaxWritten) {
    owned_and_empty = false;
    written = {};
    return;
  }
  written.insert(std::hash<std::string>{}(key));
}

bool CacheDb::Impl::known_absent(const std::string& key) const {
  return owned_and_empty && !written.count(std::hash<std::string>{}(key));
}

namespace {

void make_parent(const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
}

}  // namespace

CacheDb::CacheDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CacheDb::CacheDb(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  make_parent(file);
  impl_->write = std::make_shared<detail::Connection>(file, detail::DbRole::cache, true);
  impl_->write->ensure_schema(detail::kCacheDdl, {"cache"});
  impl_->read = std::make_unique<detail::Connection>(file, detail::DbRole::cache, false);
}

std::shared_ptr<CacheDb> CacheDb::open_for_run(RunDb& run, const std::optional<std::filesystem::path>& cache_file) {
  bool same = !cache_file || cache_file->empty();
  if (!same) {
    std::error_code ec;
    same = std::filesystem::equivalent(*cache_file, run.file(), ec) && !ec;
  }
  if (!same) return std::make_shared<CacheDb>(*cache_file);
  auto impl = std::make_unique<Impl>();
  impl->write = run.impl_->write;
  impl->read = std::make_unique<detail::Connection>(run.file(), detail::DbRole::run, false);
  if (!cache_file) {
    // Only this run writes to its own file's cache: if it is empty now, misses need no query.
    auto& conn = *impl->read;
    std::lock_guard lock(conn.mutex());
    impl->owned_and_empty =
        conn.read_retry([&] { return conn.query_int("SELECT count(*) FROM (SELECT 1 FROM cache LIMIT 1)"); }) == 0;
  }
  return std::shared_ptr<CacheDb>(new CacheDb(std::move(impl)));
}

CacheDb::~CacheDb() = default;

std::string CacheDb::make_key(const nlohmann::json& inputs) {
  return util::sha256_hex(util::canonical_json(inputs));
}

std::optional<CacheEntry> CacheDb::get_entry(const std::string& key) {
  {
    std::lock_guard lock(impl_->pending_mutex);
    auto it = impl_->pending.find(key);
    if (it != impl_->pending.end()) return it->second.entry;
    if (impl_->known_absent(key)) return std::nullopt;
  }
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&]() -> std::optional<CacheEntry> {
    detail::Stmt st = conn.cached("SELECT inputs, response FROM cache WHERE key = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return CacheEntry{key, st.text(0), st.text(1)};
  });
}

std::optional<std::string> CacheDb::get(const std::string& key) {
  {
    std::lock_guard lock(impl_->pending_mutex);
    auto it = impl_->pending.find(key);
    if (it != impl_->pending.end()) return it->second.entry.response;
    if (impl_->known_absent(key)) return std::nullopt;
  }
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&]() -> std::optional<std::string> {
    detail::Stmt st = conn.cached("SELECT response FROM cache WHERE key = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

void CacheDb::put(const std::string& key, const std::string& inputs_json, const std::string& response_json) {
  const std::string now = util::iso8601_utc_now();
  const CacheEntry entry{key, inputs_json, response_json};
  {
    std::lock_guard lock(impl_->pending_mutex);
    impl_->note_written(key);  // before the write: a concurrent get() may then query, never miss
  }
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::CacheWriter w(conn);
    w.entry(entry, now);
  });
}

std::int64_t CacheDb::size() {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&] { return conn.query_int("SELECT count(*) FROM cache"); });
}

const std::filesystem::path& CacheDb::file() const { return impl_->write->file(); }

bool CacheDb::shares_file_with(const RunDb& run) const { return impl_->write == run.impl_->write; }

}  // namespace trustllm::store
