// Internal: one SQLite connection with trustllm's pragmas, schema checks, error texts and the
// retry loops that keep SQLITE_BUSY / SQLITE_LOCKED from ever reaching the caller.
#pragma once

#include "trustllm/store/error.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace trustllm::store::detail {

// Which command-line option chooses this file; used in the advice of error messages.
enum class DbRole { run, cache };

// Thrown by statements on SQLITE_BUSY / SQLITE_LOCKED; caught by the retry loops only.
struct BusyError {
  int rc;
};

class Connection;

// A prepared statement borrowed from a Connection (cached) or owned (fresh). Text is bound
// without copying: bound strings must outlive the step. The statement is reset on destruction.
class Stmt {
 public:
  Stmt(Connection& conn, sqlite3_stmt* stmt, bool owned) : conn_(&conn), stmt_(stmt), owned_(owned) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : conn_(o.conn_), stmt_(o.stmt_), owned_(o.owned_) { o.stmt_ = nullptr; }
  Stmt& operator=(Stmt&&) = delete;

  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Stmt& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, const std::optional<std::string>& text);
  Stmt& bind_null(int index);

  // Advances: true when a row is available, false when done. Throws BusyError or StoreError.
  bool step();
  // Steps to completion (for statements without results), then resets for the next use.
  void run();
  void reset();

  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::int64_t int64(int col) const;

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_;
  bool owned_;
};

class Connection {
 public:
  // Opens `file` (creating it when `create`), enables WAL, synchronous=NORMAL, busy_timeout and
  // checks the schema version. Throws StoreError.
  Connection(std::filesystem::path file, DbRole role, bool create);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::filesystem::path& file() const { return file_; }
  DbRole role() const { return role_; }
  sqlite3* handle() const { return db_; }

  // Every use of the connection happens under this lock (recursive: callbacks may re-enter).
  std::recursive_mutex& mutex() { return mutex_; }

  // A statement prepared once and reused (keyed by the address of the SQL literal).
  Stmt cached(const char* sql);
  // A statement prepared now and finalized when the Stmt dies (for nested iteration).
  Stmt fresh(std::string_view sql);

  // Executes SQL without results. Throws BusyError or StoreError.
  void exec(const char* sql);
  // Returns the first column of the first row of a single-row query as an integer.
  std::int64_t query_int(const char* sql);

  // Creates the tables of `ddl` (idempotent) inside a write transaction and stamps the version.
  void ensure_schema(const char* ddl, std::initializer_list<std::string_view> own_tables);

  // Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; on SQLITE_BUSY/LOCKED anywhere (begin, any
  // statement, commit) rolls back if needed, backs off and tries again, for up to max_busy_wait.
  template <class F>
  void write_txn(F&& fn);

  // Runs the read `fn`, retrying it on BusyError.
  template <class F>
  auto read_retry(F&& fn) -> decltype(fn());

  // One-line error text for an SQLite result code: "<file>: <message> — <advice>".
  std::string describe(int rc, std::string_view message = {}) const;
  [[noreturn]] void fail(int rc, std::string_view message = {}) const;
  [[noreturn]] void fail_text(std::string_view message, std::string_view advice) const;

  static constexpr std::chrono::seconds kBusyTimeout{30};   // SQLite's own wait per attempt
  static constexpr std::chrono::seconds kMaxBusyWait{600};  // our retry loop's total budget

 private:
  // Sleeps with exponential backoff and jitter; false when the total budget is exhausted.
  class Backoff {
   public:
    bool wait();

   private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    int attempt_ = 0;
  };

  int exec_rc(const char* sql);
  void rollback() noexcept;
  void check_version(std::int64_t version) const;

  std::filesystem::path file_;
  DbRole role_;
  sqlite3* db_ = nullptr;
  std::recursive_mutex mutex_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

inline bool is_busy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

template <class F>
void Connection::write_txn(F&& fn) {
  Backoff backoff;
  for (;;) {
    int rc = exec_rc("BEGIN IMMEDIATE");
    if (is_busy(rc)) {
      if (!backoff.wait()) fail(rc);
      continue;
    }
    if (rc != SQLITE_OK) fail(rc);
    try {
      fn();
    } catch (const BusyError& e) {
      rollback();
      if (!backoff.wait()) fail(e.rc);
      continue;
    } catch (...) {
      rollback();
      throw;
    }
    for (;;) {
      rc = exec_rc("COMMIT");
      if (rc == SQLITE_OK) return;
      if (is_busy(rc) && sqlite3_get_autocommit(db_) == 0) {  // still in the transaction
        if (backoff.wait()) continue;
      }
      rollback();
      fail(rc);
    }
  }
}

template <class F>
auto Connection::read_retry(F&& fn) -> decltype(fn()) {
  Backoff backoff;
  for (;;) {
    try {
      return fn();
    } catch (const BusyError& e) {
      if (!backoff.wait()) fail(e.rc);
    }
  }
}

}  // namespace trustllm::store::detail
