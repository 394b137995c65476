#include "trustllm/store/run_db.hpp"

#include "internal.hpp"
#include "trustllm/util/time.hpp"

#include <stdexcept>
#include <system_error>

namespace trustllm::store {

namespace detail {

void validate_sample(const SampleRow& row) {
  if (row.status != "ok" && row.status != "failed") {
    throw std::invalid_argument("sample " + row.task + "/" + row.item_id + ": status must be 'ok' or 'failed', not '" +
                                row.status + "'");
  }
}

SampleWriter::SampleWriter(Connection& conn)
    : insert_sample_(conn.cached(
          "INSERT OR REPLACE INTO samples(task, item_id, seq, prompt, response, response_meta, status, error, "
          "created_at, sample) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")),
      delete_evaluations_(conn.cached("DELETE FROM evaluations WHERE task = ?1 AND item_id = ?2")),
      insert_evaluation_(conn.cached(
          "INSERT OR REPLACE INTO evaluations(task, item_id, metric_key, record) VALUES(?1, ?2, ?3, ?4)")) {}

void SampleWriter::sample(const SampleRow& r) {
  insert_sample_.bind(1, r.task)
      .bind(2, r.item_id)
      .bind(3, static_cast<std::int64_t>(r.seq))
      .bind(4, r.prompt)
      .bind(5, r.response)
      .bind(6, std::string_view(r.response_meta.empty() ? std::string_view("{}") : std::string_view(r.response_meta)))
      .bind(7, r.status)
      .bind(8, r.error)
      .bind(9, r.created_at)
      .bind(10, std::string_view(r.sample.empty() ? std::string_view("{}") : std::string_view(r.sample)));
  insert_sample_.run();
  delete_evaluations_.bind(1, r.task).bind(2, r.item_id);
  delete_evaluations_.run();
}

void SampleWriter::evaluation(const EvaluationRow& r) {
  insert_evaluation_.bind(1, r.task).bind(2, r.item_id).bind(3, r.metric_key).bind(4, r.record);
  insert_evaluation_.run();
}

}  // namespace detail

namespace {

constexpr const char* kSampleColumns =
    "SELECT task, item_id, seq, prompt, response, response_meta, status, error, created_at, sample "
    "FROM samples ";

SampleRow read_sample(const detail::Stmt& st) {
  SampleRow r;
  r.task = st.text(0);
  r.item_id = st.text(1);
  r.seq = st.int64(2);
  r.prompt = st.text(3);
  r.response = st.opt_text(4);
  r.response_meta = st.text(5);
  r.status = st.text(6);
  r.error = st.opt_text(7);
  r.created_at = st.text(8);
  r.sample = st.text(9);
  return r;
}

// Iterates a fresh statement; SQLITE_BUSY is retried only before the first row was delivered.
template <class Bind, class Row>
void iterate(detail::Connection& conn, const std::string& sql, Bind&& bind, Row&& row) {
  std::lock_guard lock(conn.mutex());
  bool delivered = false;
  conn.read_retry([&] {
    try {
      detail::Stmt st = conn.fresh(sql);
      bind(st);
      while (st.step()) {
        delivered = true;
        row(st);
      }
    } catch (const detail::BusyError& e) {
      if (delivered) conn.fail(e.rc);
      throw;
    }
  });
}

}  // namespace

RunDb::RunDb(const std::filesystem::path& file) : impl_(std::make_unique<Impl>()) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  impl_->write = std::make_shared<detail::Connection>(file, detail::DbRole::run, true);
  impl_->write->ensure_schema(detail::kRunDdl, {"samples", "evaluations", "meta", "tasks", "cache"});
  impl_->read = std::make_unique<detail::Connection>(file, detail::DbRole::run, false);
}

RunDb::~RunDb() = default;

const std::filesystem::path& RunDb::file() const { return impl_->write->file(); }

std::unordered_set<std::string> RunDb::done_items(const std::string& task) {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&] {
    std::unordered_set<std::string> out;
    detail::Stmt st = conn.cached("SELECT item_id FROM samples WHERE task = ?1 AND status = 'ok'");
    st.bind(1, task);
    while (st.step()) out.insert(st.text(0));
    return out;
  });
}

void RunDb::for_each_sample(const std::string& task, const std::function<void(const SampleRow&)>& fn) {
  iterate(
      *impl_->read, std::string(kSampleColumns) + "WHERE task = ?1 ORDER BY seq, item_id",
      [&](detail::Stmt& st) { st.bind(1, task); }, [&](const detail::Stmt& st) { fn(read_sample(st)); });
}

void RunDb::for_each_evaluation(const std::string& task, const std::string& metric_key,
                                const std::function<void(const EvaluationRow&)>& fn) {
  const std::string sql =
      "SELECT e.task, e.item_id, e.metric_key, e.record FROM evaluations e "
      "LEFT JOIN samples s ON s.task = e.task AND s.item_id = e.item_id "
      "WHERE e.task = ?1" +
      std::string(metric_key.empty() ? "" : " AND e.metric_key = ?2") + " ORDER BY s.seq, e.item_id, e.metric_key";
  iterate(
      *impl_->read, sql,
      [&](detail::Stmt& st) {
        st.bind(1, task);
        if (!metric_key.empty()) st.bind(2, metric_key);
      },
      [&](const detail::Stmt& st) { fn(EvaluationRow{st.text(0), st.text(1), st.text(2), st.text(3)}); });
}

std::optional<SampleRow> RunDb::get_sample(const std::string& task, const std::string& item_id) {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&]() -> std::optional<SampleRow> {
    detail::Stmt st = conn.fresh(std::string(kSampleColumns) + "WHERE task = ?1 AND item_id = ?2");
    st.bind(1, task).bind(2, item_id);
    if (!st.step()) return std::nullopt;
    return read_sample(st);
  });
}

std::int64_t RunDb::count_samples(const std::string& task) {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&] {
    if (task.empty()) return conn.query_int("SELECT count(*) FROM samples");
    detail::Stmt st = conn.cached("SELECT count(*) FROM samples WHERE task = ?1");
    st.bind(1, task);
    return st.step() ? st.int64(0) : std::int64_t{0};
  });
}

void RunDb::put_sample(const SampleRow& sample, const std::vector<EvaluationRow>& evaluations) {
  detail::validate_sample(sample);
  SampleRow row = sample;
  if (row.created_at.empty()) row.created_at = util::iso8601_utc_now();
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::SampleWriter w(conn);
    w.sample(row);
    for (const auto& e : evaluations) w.evaluation(e);
  });
}

void RunDb::put_evaluations(const std::vector<EvaluationRow>& evaluations) {
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::SampleWriter w(conn);
    for (const auto& e : evaluations) w.evaluation(e);
  });
}

void RunDb::delete_evaluations(const std::string& task, const std::string& metric_key) {
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::Stmt st = conn.cached("DELETE FROM evaluations WHERE task = ?1 AND metric_key = ?2");
    st.bind(1, task).bind(2, metric_key);
    st.run();
  });
}

void RunDb::clear_samples() {
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] { conn.exec("DELETE FROM evaluations; DELETE FROM samples;"); });
}

void RunDb::put_meta(const std::string& key, const std::string& value) {
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::Stmt st = conn.cached("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    st.bind(1, key).bind(2, value);
    st.run();
  });
}

std::optional<std::string> RunDb::get_meta(const std::string& key) {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&]() -> std::optional<std::string> {
    detail::Stmt st = conn.cached("SELECT value FROM meta WHERE key = ?1");
    st.bind(1, key);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

void RunDb::put_task(const std::string& task, const std::string& info_json) {
  auto& conn = *impl_->write;
  std::lock_guard lock(conn.mutex());
  conn.write_txn([&] {
    detail::Stmt st = conn.cached(
        "INSERT INTO tasks(task, info) VALUES(?1, ?2) ON CONFLICT(task) DO UPDATE SET info = excluded.info");
    st.bind(1, task).bind(2, info_json.empty() ? std::string_view("{}") : std::string_view(info_json));
    st.run();
  });
}

std::optional<std::string> RunDb::task_info(const std::string& task) {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&]() -> std::optional<std::string> {
    detail::Stmt st = conn.cached("SELECT info FROM tasks WHERE task = ?1");
    st.bind(1, task);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  });
}

std::vector<std::string> RunDb::tasks() {
  auto& conn = *impl_->read;
  std::lock_guard lock(conn.mutex());
  return conn.read_retry([&] {
    std::vector<std::string> out;
    detail::Stmt st = conn.cached(
        "SELECT task FROM ("
        " SELECT task, 0 AS k, rowid AS r FROM tasks"
        " UNION ALL"
        " SELECT DISTINCT task, 1 AS k, 0 AS r FROM samples WHERE task NOT IN (SELECT task FROM tasks)"
        ") ORDER BY k, r, task");
    while (st.step()) out.push_back(st.text(0));
    return out;
  });
}

}  // namespace trustllm::store
