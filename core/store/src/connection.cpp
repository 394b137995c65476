#include "connection.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace trustllm::store::detail {

namespace {

// "TLLM" — marks files written by trustllm (PRAGMA application_id).
constexpr std::int64_t kApplicationId = 0x544C4C4D;

std::string one_line(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

// Process-wide SQLite settings, applied once before the first connection. Memory statistics
// cost a global mutex on every allocation; trustllm does not use them. (If SQLite was already
// initialized by someone else, sqlite3_config returns SQLITE_MISUSE and nothing changes.)
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Stmt

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::bind(int index, std::string_view text) {
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) conn_->fail(rc);
  return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) conn_->fail(rc);
  return *this;
}

Stmt& Stmt::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Stmt& Stmt::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) conn_->fail(rc);
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  if (is_busy(rc)) throw BusyError{rc};
  conn_->fail(rc);
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> Stmt::opt_text(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return text(col);
}

std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

// ---------------------------------------------------------------------------------------------
// Connection

bool Connection::Backoff::wait() {
  using namespace std::chrono;
  if (steady_clock::now() - start_ > kMaxBusyWait) return false;
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int exp = std::min(attempt_++, 6);
  const int base_us = 500 << exp;  // 0.5 ms .. 32 ms
  std::uniform_int_distribution<int> jitter(0, base_us);
  std::this_thread::sleep_for(microseconds(base_us + jitter(rng)));
  return true;
}

Connection::Connection(std::filesystem::path file, DbRole role, bool create)
    : file_(std::move(file)), role_(role) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  if (!create && !std::filesystem::exists(file_)) fail(SQLITE_CANTOPEN, "no such file");
  const int rc = sqlite3_open_v2(file_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    fail(rc, msg);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(std::chrono::milliseconds(kBusyTimeout).count()));

    // Reading the header first detects "file is not a database" / corruption early.
    Backoff backoff;
    for (;;) {
      try {
        check_version(query_int("PRAGMA user_version"));
        const std::int64_t app = query_int("PRAGMA application_id");
        if (app != 0 && app != kApplicationId) {
          fail_text("is an SQLite database of another program", role_ == DbRole::run
                                                                    ? "choose another --out"
                                                                    : "choose another --cache");
        }
        // Switching to WAL needs an exclusive lock for a moment; another process may hold it.
        Stmt st = fresh("PRAGMA journal_mode=WAL");
        std::string mode = st.step() ? st.text(0) : std::string();
        std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char c) { return std::tolower(c); });
        if (mode != "wal") {
          fail_text("cannot use write-ahead logging (journal mode is '" + mode + "')",
                    "put the database on a local filesystem");
        }
        break;
      } catch (const BusyError& e) {
        if (!backoff.wait()) fail(e.rc);
      }
    }
    exec("PRAGMA synchronous=NORMAL");
  } catch (...) {
    for (auto& [sql, st] : cache_) sqlite3_finalize(st);
    cache_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Connection::~Connection() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Stmt Connection::cached(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) {
      if (is_busy(rc)) throw BusyError{rc};
      fail(rc);
    }
    it = cache_.emplace(sql, st).first;
  }
  return Stmt(*this, it->second, false);
}

Stmt Connection::fresh(std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
  if (rc != SQLITE_OK) {
    if (is_busy(rc)) throw BusyError{rc};
    fail(rc);
  }
  return Stmt(*this, st, true);
}

int Connection::exec_rc(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

void Connection::exec(const char* sql) {
  const int rc = exec_rc(sql);
  if (rc == SQLITE_OK) return;
  if (is_busy(rc)) throw BusyError{rc};
  fail(rc);
}

std::int64_t Connection::query_int(const char* sql) {
  Stmt st = fresh(sql);
  return st.step() ? st.int64(0) : 0;
}

void Connection::rollback() noexcept {
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) exec_rc("ROLLBACK");
}

void Connection::check_version(std::int64_t version) const {
  if (version > kSchemaVersion) {
    fail_text("schema version " + std::to_string(version) + " is newer than this trustllm supports (" +
                  std::to_string(kSchemaVersion) + ")",
              role_ == DbRole::run ? "use a newer trustllm or choose another --out"
                                   : "use a newer trustllm or choose another --cache");
  }
}

void Connection::ensure_schema(const char* ddl, std::initializer_list<std::string_view> own_tables) {
  std::lock_guard lock(mutex_);
  write_txn([&] {
    const std::int64_t version = query_int("PRAGMA user_version");
    check_version(version);
    if (version == 0) {
      // A fresh file, or somebody else's SQLite database without a version: refuse the latter.
      Stmt st = fresh("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'");
      while (st.step()) {
        const std::string name = st.text(0);
        if (std::find(own_tables.begin(), own_tables.end(), name) == own_tables.end()) {
          fail_text("is not a trustllm database (it has a table '" + name + "')",
                    role_ == DbRole::run ? "choose another --out" : "choose another --cache");
        }
      }
    }
    exec(ddl);
    if (version < kSchemaVersion) {
      const std::string stamp = "PRAGMA user_version=" + std::to_string(kSchemaVersion) +
                                ";PRAGMA application_id=" + std::to_string(kApplicationId);
      exec(stamp.c_str());
    }
  });
}

std::string Connection::describe(int rc, std::string_view message) const {
  std::string msg(message);
  if (msg.empty()) msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const bool run = role_ == DbRole::run;
  std::string advice;
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      advice = run ? "delete the folder or choose another --out" : "delete the file or choose another --cache";
      break;
    case SQLITE_FULL:
      advice = "free disk space and run again (finished items are kept)";
      break;
    case SQLITE_CANTOPEN:
      advice = "check that the folder exists and is writable";
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      advice = "check the permissions of the file and its folder";
      break;
    case SQLITE_IOERR:
      advice = "check the disk (a network filesystem cannot hold this database; use a local folder)";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      msg = "database stayed locked by another process for " +
            std::to_string(kMaxBusyWait.count()) + " s";
      advice = run ? "stop the other process or choose another --out"
                   : "stop the other process or choose another --cache";
      break;
    case SQLITE_NOMEM:
      advice = "free memory and run again";
      break;
    default:
      advice = run ? "choose another --out" : "choose another --cache";
  }
  return one_line(file_.string() + ": " + msg + " — " + advice);
}

void Connection::fail(int rc, std::string_view message) const { throw StoreError(describe(rc, message)); }

void Connection::fail_text(std::string_view message, std::string_view advice) const {
  throw StoreError(one_line(file_.string() + ": " + std::string(message) + " — " + std::string(advice)));
}

}  // namespace trustllm::store::detail
