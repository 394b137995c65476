#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <trustllm/store/store.hpp>
#include <trustllm/util/time.hpp>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace trustllm::store;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A fresh temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("trustllm_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

SampleRow sample(const std::string& task, int i, const std::string& status = "ok") {
  SampleRow s;
  s.task = task;
  s.item_id = "item-" + std::to_string(i);
  s.seq = i;
  s.prompt = "prompt " + std::to_string(i);
  if (status == "ok") {
    s.response = "response " + std::to_string(i);
  } else {
    s.error = "backend timed out";
  }
  s.response_meta = R"({"tokens":)" + std::to_string(i) + "}";
  s.status = status;
  return s;
}

EvaluationRow evaluation(const SampleRow& s, const std::string& metric, int value) {
  return EvaluationRow{s.task, s.item_id, metric, R"({"score":)" + std::to_string(value) + "}"};
}

// Runs fn in a forked child; the child exits 0 on success, 1 (with a message on stderr) on error.
pid_t spawn(const std::function<void()>& fn) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
      code = 1;
    } catch (...) {
      code = 1;
    }
    std::fflush(stderr);
    ::_exit(code);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// A pipe that children wait on, so several processes start writing at the same moment.
struct StartGate {
  int fds[2];
  StartGate() { REQUIRE(::pipe(fds) == 0); }
  ~StartGate() {
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
  }
  void wait_in_child() {
    ::close(fds[1]);
    char c;
    while (::read(fds[0], &c, 1) < 0 && errno == EINTR) {
    }
  }
  void open_in_parent() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};

void raw_exec(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

std::string raw_query_text(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("make_key is the sha256 of the canonical inputs") {
  const json a = json::parse(R"({"backend":"openai","model":"m","endpoint":"http://x",
                                 "request":{"messages":[{"role":"user","content":"hi"}],"temperature":0.7,"seed":5}})");
  const json b = json::parse(R"({"request":{"seed":5,"temperature":0.7,"messages":[{"content":"hi","role":"user"}]},
                                 "endpoint":"http://x","model":"m","backend":"openai"})");
  const std::string key = ResponseCache::make_key(a);
  CHECK(key.size() == 64);
  CHECK(key == CacheDb::make_key(b));
  json c = a;
  c["request"]["temperature"] = 0.8;
  CHECK(CacheDb::make_key(c) != key);
  json d = a;
  d["request"]["seed"] = 6;
  CHECK(CacheDb::make_key(d) != key);
}

TEST_CASE("cache put/get and reopen") {
  TempDir dir;
  const fs::path file = dir.path / "cache.sqlite";
  const json inputs = {{"backend", "b"}, {"model", "m"}, {"request", {{"seed", 1}}}};
  const std::string key = CacheDb::make_key(inputs);
  {
    CacheDb cache(file);
    CHECK_FALSE(cache.get(key).has_value());
    cache.put(key, inputs.dump(), R"({"text":"hello"})");
    REQUIRE(cache.get(key).has_value());
    CHECK(*cache.get(key) == R"({"text":"hello"})");
    const auto entry = cache.get_entry(key);
    REQUIRE(entry.has_value());
    CHECK(json::parse(entry->inputs) == inputs);
    cache.put(key, inputs.dump(), R"({"text":"replaced"})");
    CHECK(*cache.get(key) == R"({"text":"replaced"})");
    cache.put(CacheEntry{"k2", "{}", "\"two\""});
    CHECK(cache.size() == 2);
    CHECK(cache.file() == file);
  }
  CacheDb again(file);
  CHECK(*again.get(key) == R"({"text":"replaced"})");
  CHECK(*again.get("k2") == "\"two\"");
  CHECK(again.size() == 2);
}

TEST_CASE("cache is thread-safe") {
  TempDir dir;
  CacheDb cache(dir.path / "cache.sqlite");
  std::vector<std::thread> threads;
  std::atomic<int> misses{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        cache.put(key, "{}", std::to_string(i));
        auto got = cache.get(key);
        if (!got || *got != std::to_string(i)) ++misses;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(misses == 0);
  CHECK(cache.size() == 400);
}

TEST_CASE("RunDb samples, evaluations, meta and tasks") {
  TempDir dir;
  const fs::path file = dir.path / "out" / "run.sqlite";  // parent folder is created
  RunDb db(file);
  CHECK(db.file() == file);
  CHECK(db.tasks().empty());
  CHECK(db.done_items("t").empty());

  // Out of order on purpose: for_each_sample must follow seq.
  for (int i : {3, 1, 4, 0, 2}) {
    const SampleRow s = sample("t", i, i == 4 ? "failed" : "ok");
    db.put_sample(s, {evaluation(s, "acc", i), evaluation(s, "refusal", 10 + i)});
  }
  db.put_sample(sample("other", 0));

  const auto done = db.done_items("t");
  CHECK(done == std::unordered_set<std::string>{"item-0", "item-1", "item-2", "item-3"});
  CHECK(db.count_samples("t") == 5);
  CHECK(db.count_samples() == 6);

  std::vector<std::int64_t> seqs;
  db.for_each_sample("t", [&](const SampleRow& r) {
    seqs.push_back(r.seq);
    CHECK(r.task == "t");
    CHECK(r.prompt == "prompt " + std::to_string(r.seq));
    CHECK(!r.created_at.empty());
    if (r.status == "failed") {
      CHECK_FALSE(r.response.has_value());
      CHECK(r.error == std::optional<std::string>("backend timed out"));
    } else {
      CHECK(r.response == std::optional<std::string>("response " + std::to_string(r.seq)));
      CHECK_FALSE(r.error.has_value());
    }
    // Re-entrant use from the callback works.
    CHECK(db.get_sample(r.task, r.item_id).has_value());
  });
  CHECK(seqs == std::vector<std::int64_t>{0, 1, 2, 3, 4});

  std::vector<std::string> acc;
  db.for_each_evaluation("t", "acc", [&](const EvaluationRow& e) {
    CHECK(e.metric_key == "acc");
    acc.push_back(e.item_id + "=" + e.record);
  });
  CHECK(acc == std::vector<std::string>{"item-0={\"score\":0}", "item-1={\"score\":1}", "item-2={\"score\":2}",
                                        "item-3={\"score\":3}", "item-4={\"score\":4}"});
  int all = 0;
  db.for_each_evaluation("t", "", [&](const EvaluationRow&) { ++all; });
  CHECK(all == 10);

  // Replacing a sample drops its old evaluations.
  const SampleRow again = sample("t", 4);
  db.put_sample(again, {evaluation(again, "acc", 99)});
  CHECK(db.done_items("t").count("item-4") == 1);
  int for4 = 0;
  db.for_each_evaluation("t", "", [&](const EvaluationRow& e) {
    if (e.item_id == "item-4") {
      ++for4;
      CHECK(e.record == R"({"score":99})");
    }
  });
  CHECK(for4 == 1);

  db.delete_evaluations("t", "refusal");
  int refusal = 0;
  db.for_each_evaluation("t", "refusal", [&](const EvaluationRow&) { ++refusal; });
  CHECK(refusal == 0);
  db.put_evaluations({evaluation(again, "refusal", 1)});
  db.for_each_evaluation("t", "refusal", [&](const EvaluationRow&) { ++refusal; });
  CHECK(refusal == 1);

  db.put_meta("run_seed", "42");
  db.put_meta("run_seed", "43");
  CHECK(db.get_meta("run_seed") == std::optional<std::string>("43"));
  CHECK_FALSE(db.get_meta("nope").has_value());

  db.put_task("zeta", R"({"dimension":"safety"})");
  db.put_task("alpha", "{}");
  db.put_task("zeta", R"({"dimension":"privacy"})");  // update keeps registration order
  CHECK(db.tasks() == std::vector<std::string>{"zeta", "alpha", "other", "t"});
  CHECK(db.task_info("zeta") == std::optional<std::string>(R"({"dimension":"privacy"})"));

  CHECK_THROWS_AS(db.put_sample(sample("t", 9, "weird")), std::invalid_argument);

  db.clear_samples();
  CHECK(db.count_samples() == 0);
  CHECK(db.done_items("t").empty());
  int left = 0;
  db.for_each_evaluation("t", "", [&](const EvaluationRow&) { ++left; });
  CHECK(left == 0);
  CHECK(db.get_meta("run_seed") == std::optional<std::string>("43"));
  CHECK(db.tasks() == std::vector<std::string>{"zeta", "alpha"});
}

TEST_CASE("reopen after close keeps data") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  {
    auto run = std::make_shared<RunDb>(file);
    auto cache = CacheDb::open_for_run(*run);
    CHECK(cache->shares_file_with(*run));
    Writer writer(run, cache);
    for (int i = 0; i < 300; ++i) {
      const SampleRow s = sample("t", i);
      writer.enqueue_sample(s, {evaluation(s, "acc", i)}, CacheEntry{"key" + std::to_string(i), "{}", "r"});
    }
    run->put_meta("status", "done");
    run->put_task("t", "{}");
  }  // Writer destructor flushes
  auto run = std::make_shared<RunDb>(file);
  CHECK(run->count_samples("t") == 300);
  CHECK(run->get_meta("status") == std::optional<std::string>("done"));
  CHECK(run->tasks() == std::vector<std::string>{"t"});
  int evals = 0;
  run->for_each_evaluation("t", "acc", [&](const EvaluationRow&) { ++evals; });
  CHECK(evals == 300);
  auto cache = CacheDb::open_for_run(*run, file);  // same file named explicitly
  CHECK(cache->shares_file_with(*run));
  CHECK(cache->size() == 300);
  CHECK(cache->get("key299") == std::optional<std::string>("r"));
}

TEST_CASE("writer batches, flushes and shows queued cache entries") {
  TempDir dir;
  auto run = std::make_shared<RunDb>(dir.path / "run.sqlite");
  auto cache = CacheDb::open_for_run(*run);
  WriterOptions opt;
  opt.batch_rows = 64;
  opt.max_delay = std::chrono::milliseconds(20);
  Writer writer(run, cache, opt);

  // Read-your-writes: queued cache entries are visible before the commit.
  writer.enqueue_cache(CacheEntry{"early", "{}", "\"queued\""});
  CHECK(cache->get("early") == std::optional<std::string>("\"queued\""));

  constexpr int kRows = 5000;
  for (int i = 0; i < kRows; ++i) {
    const SampleRow s = sample("t", i);
    writer.enqueue_sample(s, {evaluation(s, "acc", i)});
  }
  writer.flush();
  auto st = writer.stats();
  CHECK(st.enqueued == kRows + 1);
  CHECK(st.committed == kRows + 1);
  CHECK(st.batches >= 2);
  CHECK(st.batches < kRows / 4);  // batched, not one transaction per row
  CHECK(run->count_samples("t") == kRows);
  CHECK(run->done_items("t").size() == kRows);
  CHECK(cache->get("early") == std::optional<std::string>("\"queued\""));

  // Without flush the rows become durable by themselves within about max_delay.
  const SampleRow late = sample("late", 1);
  writer.enqueue_sample(late);
  trustllm::util::Stopwatch sw;
  while (run->count_samples("late") == 0 && sw.seconds() < 5) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(run->count_samples("late") == 1);
  CHECK(sw.milliseconds() < 1000);

  // Evaluations alone (re-evaluation).
  run->delete_evaluations("t", "acc");
  std::vector<EvaluationRow> re;
  for (int i = 0; i < 10; ++i) re.push_back(EvaluationRow{"t", "item-" + std::to_string(i), "acc", "{}"});
  writer.enqueue_evaluations(re);
  writer.flush();
  int n = 0;
  run->for_each_evaluation("t", "acc", [&](const EvaluationRow&) { ++n; });
  CHECK(n == 10);

  // Many producer threads.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const SampleRow s = sample("mt" + std::to_string(t), i);
        writer.enqueue_sample(s, {evaluation(s, "acc", i)}, CacheEntry{s.task + s.item_id, "{}", "x"});
      }
    });
  }
  for (auto& th : threads) th.join();
  writer.flush();
  for (int t = 0; t < 4; ++t) CHECK(run->count_samples("mt" + std::to_string(t)) == 500);
  CHECK(cache->size() == 2001);

  // Misuse.
  Writer no_cache(run);
  CHECK_THROWS_AS(no_cache.enqueue_cache(CacheEntry{"k", "{}", "r"}), std::invalid_argument);
  SampleRow bad = sample("t", 1);
  bad.status = "maybe";
  CHECK_THROWS_AS(writer.enqueue_sample(bad), std::invalid_argument);
  const SampleRow s1 = sample("t", 1);
  CHECK_THROWS_AS(writer.enqueue_sample(s1, {evaluation(sample("t", 2), "acc", 1)}), std::invalid_argument);
}

TEST_CASE("a run's own cache that starts empty: misses need no query, writes stay visible") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  auto run = std::make_shared<RunDb>(file);
  auto cache = CacheDb::open_for_run(*run);
  // Only this process writes an owned cache, so a row that appears behind its back (no run
  // does this) is not looked up: that is the query a miss saves.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "INSERT INTO cache(key, inputs, response, created_at) "
                             "VALUES('behind', '{}', 'r', 'now')", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  CHECK_FALSE(cache->get("behind").has_value());
  {
    Writer writer(run, cache);
    for (int i = 0; i < 300; ++i) {
      const SampleRow s = sample("t", i);
      writer.enqueue_sample(s, {}, CacheEntry{"k" + std::to_string(i), "{}", "v" + std::to_string(i)});
    }
    writer.enqueue_cache(CacheEntry{"judge", "{}", "j"});
    writer.flush();
  }
  for (int i = 0; i < 300; i += 37) {
    CHECK(cache->get("k" + std::to_string(i)) == std::optional<std::string>("v" + std::to_string(i)));
  }
  CHECK(cache->get("judge") == std::optional<std::string>("j"));
  cache->put("direct", "{}", "d");
  CHECK(cache->get("direct") == std::optional<std::string>("d"));
  CHECK(cache->get_entry("k1").has_value());
  CHECK_FALSE(cache->get("k300").has_value());

  // A cache that is not empty when the run opens it (a re-run, a resume) is always queried, and
  // so is a --cache file, which other processes may write.
  auto again = CacheDb::open_for_run(*run);
  CHECK(again->get("behind") == std::optional<std::string>("r"));
  auto shared = CacheDb::open_for_run(*run, dir.path / "shared.sqlite");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir.path / "shared.sqlite").c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "INSERT INTO cache(key, inputs, response, created_at) "
                             "VALUES('other', '{}', 'o', 'now')", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  CHECK(shared->get("other") == std::optional<std::string>("o"));
}

TEST_CASE("writer with a separate cache file") {
  TempDir dir;
  auto run = std::make_shared<RunDb>(dir.path / "run.sqlite");
  auto cache = CacheDb::open_for_run(*run, dir.path / "shared-cache.sqlite");
  CHECK_FALSE(cache->shares_file_with(*run));
  {
    Writer writer(run, cache);
    for (int i = 0; i < 1000; ++i) {
      const SampleRow s = sample("t", i);
      writer.enqueue_sample(s, {evaluation(s, "acc", i)}, CacheEntry{"k" + std::to_string(i), "{}", "v"});
    }
    writer.flush();
    CHECK(cache->size() == 1000);
    CHECK(run->count_samples() == 1000);
  }
  CacheDb reopened(dir.path / "shared-cache.sqlite");
  CHECK(reopened.size() == 1000);
  CHECK(reopened.get("k999") == std::optional<std::string>("v"));
}

TEST_CASE("writer throughput") {
  TempDir dir;
  auto run = std::make_shared<RunDb>(dir.path / "run.sqlite");
  constexpr int kRows = 100000;
  std::vector<SampleRow> rows;
  rows.reserve(kRows);
  const std::string now = trustllm::util::iso8601_utc_now();
  for (int i = 0; i < kRows; ++i) {
    rows.push_back(sample("t", i));
    rows.back().created_at = now;
  }
  const std::clock_t cpu0 = std::clock();
  trustllm::util::Stopwatch sw;
  {
    Writer writer(run);
    for (auto& r : rows) writer.enqueue_sample(std::move(r));
    writer.flush();
  }
  const double seconds = sw.seconds();
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  const double rate = kRows / seconds;
  MESSAGE("writer: " << kRows << " samples in " << seconds * 1000 << " ms = " << static_cast<long>(rate)
                     << " rows/s (" << cpu * 1000 << " ms CPU in all threads)");
  CHECK(run->count_samples() == kRows);
  // The target is 50,000 rows/s; other builds share the 2 cores, so only a gross regression fails
  // (and sanitizer builds are not timed).
  WARN(rate > 50000);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(rate > 10000);
#endif
}

TEST_CASE("two processes write one shared cache file at the same time") {
  TempDir dir;
  const fs::path shared = dir.path / "shared.sqlite";
  constexpr int kPerProcess = 2000;

  SUBCASE("direct puts") {
    StartGate gate;
    std::vector<pid_t> pids;
    for (int p = 0; p < 2; ++p) {
      pids.push_back(spawn([&, p] {
        gate.wait_in_child();
        CacheDb cache(shared);  // both processes create the file concurrently
        for (int i = 0; i < kPerProcess; ++i) {
          cache.put("p" + std::to_string(p) + "-" + std::to_string(i), "{}", std::to_string(i));
        }
      }));
    }
    gate.open_in_parent();
    for (pid_t pid : pids) CHECK(wait_exit(pid) == 0);
  }
  SUBCASE("through writers with their own run databases") {
    StartGate gate;
    std::vector<pid_t> pids;
    for (int p = 0; p < 2; ++p) {
      pids.push_back(spawn([&, p] {
        gate.wait_in_child();
        auto run = std::make_shared<RunDb>(dir.path / ("out" + std::to_string(p)) / "run.sqlite");
        auto cache = CacheDb::open_for_run(*run, shared);
        WriterOptions opt;
        opt.batch_rows = 16;  // many small transactions to provoke contention
        Writer writer(run, cache, opt);
        for (int i = 0; i < kPerProcess; ++i) {
          const SampleRow s = sample("t", i);
          writer.enqueue_sample(s, {}, CacheEntry{"p" + std::to_string(p) + "-" + std::to_string(i), "{}",
                                                 std::to_string(i)});
          if (i % 100 == 0) writer.flush();
        }
        writer.flush();
      }));
    }
    gate.open_in_parent();
    for (pid_t pid : pids) CHECK(wait_exit(pid) == 0);
    for (int p = 0; p < 2; ++p) CHECK(RunDb(dir.path / ("out" + std::to_string(p)) / "run.sqlite").count_samples() == kPerProcess);
  }

  CacheDb cache(shared);
  CHECK(cache.size() == 2 * kPerProcess);
  int missing = 0;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < kPerProcess; ++i) {
      const auto v = cache.get("p" + std::to_string(p) + "-" + std::to_string(i));
      if (!v || *v != std::to_string(i)) ++missing;
    }
  }
  CHECK(missing == 0);
}

TEST_CASE("SIGKILL while writing leaves whole samples") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  for (int round = 0; round < 3; ++round) {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t pid = spawn([&] {
      ::close(ready[0]);
      auto run = std::make_shared<RunDb>(file);
      auto cache = CacheDb::open_for_run(*run);
      WriterOptions opt;
      opt.batch_rows = 64;
      Writer writer(run, cache, opt);
      const std::string big(2000, 'x');  // bigger rows: more pages per transaction
      for (int i = 0;; ++i) {
        SampleRow s = sample("t" + std::to_string(round), i);
        s.response = big;
        std::vector<EvaluationRow> ev{evaluation(s, "a", i), evaluation(s, "b", i), evaluation(s, "c", i)};
        writer.enqueue_sample(s, std::move(ev), CacheEntry{"c" + std::to_string(round) + "-" + s.item_id, "{}", big});
        if (i == 500) {
          writer.flush();
          const char c = 'r';
          if (::write(ready[1], &c, 1) != 1) ::_exit(3);
        }
      }
    });
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + 70 * round));
    ::kill(pid, SIGKILL);
    CHECK(wait_exit(pid) == 128 + SIGKILL);

    CHECK(raw_query_text(file, "PRAGMA integrity_check") == "ok");
    auto run = std::make_shared<RunDb>(file);
    auto cache = CacheDb::open_for_run(*run);
    const std::string task = "t" + std::to_string(round);
    std::map<std::string, int> evals;
    run->for_each_evaluation(task, "", [&](const EvaluationRow& e) { ++evals[e.item_id]; });
    std::int64_t samples = 0;
    int incomplete = 0;
    run->for_each_sample(task, [&](const SampleRow& s) {
      ++samples;
      if (evals[s.item_id] != 3) ++incomplete;
      if (!cache->get("c" + std::to_string(round) + "-" + s.item_id)) ++incomplete;
    });
    MESSAGE("round " << round << ": " << samples << " samples survived the kill");
    CHECK(samples > 500);
    CHECK(incomplete == 0);
    CHECK(evals.size() == static_cast<std::size_t>(samples));  // no evaluations without their sample
    CHECK(cache->size() >= samples);
  }
}

TEST_CASE("schema version newer than supported") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  { RunDb db(file); }
  raw_exec(file, "PRAGMA user_version=99");
  try {
    RunDb db(file);
    FAIL("expected a StoreError");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    MESSAGE(msg);
    CHECK(msg.find(file.string()) == 0);
    CHECK(msg.find("schema version 99") != std::string::npos);
    CHECK(msg.find("newer") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  const fs::path cache_file = dir.path / "cache.sqlite";
  { CacheDb c(cache_file); }
  raw_exec(cache_file, "PRAGMA user_version=2");
  CHECK_THROWS_WITH_AS(CacheDb{cache_file}, doctest::Contains("--cache"), StoreError);
}

TEST_CASE("unusable files give one-line errors") {
  TempDir dir;
  SUBCASE("not a database") {
    const fs::path file = dir.path / "run.sqlite";
    {
      std::ofstream out(file, std::ios::binary);
      for (int i = 0; i < 1000; ++i) out << "this is not an sqlite file ";
    }
    try {
      RunDb db(file);
      FAIL("expected a StoreError");
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      MESSAGE(msg);
      CHECK(msg.find(file.string() + ": ") == 0);
      CHECK(msg.find("--out") != std::string::npos);
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  SUBCASE("another program's database") {
    const fs::path file = dir.path / "other.sqlite";
    raw_exec(file, "CREATE TABLE customers(id INTEGER)");
    CHECK_THROWS_WITH_AS(RunDb{file}, doctest::Contains("not a trustllm database"), StoreError);
  }
  SUBCASE("folder cannot be created") {
    const fs::path file = "/proc/trustllm-no-such-dir/run.sqlite";
    try {
      RunDb db(file);
      FAIL("expected a StoreError");
    } catch (const StoreError& e) {
      const std::string msg = e.what();
      MESSAGE(msg);
      CHECK(msg.find(file.string() + ": ") == 0);
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("a failed commit is reported by flush and later enqueues") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  auto run = std::make_shared<RunDb>(file);
  Writer writer(run);
  const SampleRow s0 = sample("t", 0);
  writer.enqueue_sample(s0, {evaluation(s0, "acc", 0)});
  writer.flush();
  raw_exec(file, "DROP TABLE evaluations");  // sabotage from outside
  const SampleRow s1 = sample("t", 1);
  writer.enqueue_sample(s1, {evaluation(s1, "acc", 1)});
  try {
    writer.flush();
    FAIL("expected a StoreError");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    MESSAGE(msg);
    CHECK(msg.find(file.string() + ": ") == 0);
    CHECK(msg.find('\n') == std::string::npos);
  }
  CHECK_THROWS_AS(writer.enqueue_sample(sample("t", 2)), StoreError);
  CHECK(run->count_samples() == 1);  // the failed batch was rolled back as a whole
}

TEST_CASE("a malformed database gives a one-line error") {
  TempDir dir;
  const fs::path file = dir.path / "run.sqlite";
  {
    RunDb db(file);
    for (int i = 0; i < 200; ++i) {
      SampleRow s = sample("t", i);
      s.prompt = std::string(500, 'p');
      db.put_sample(s);
    }
  }
  const auto size = fs::file_size(file);
  REQUIRE(size > 8 * 4096);
  {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    const std::string garbage(3 * 4096, '\xA5');
    f.seekp(2 * 4096);  // keep the header page, wreck b-tree pages
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    RunDb db(file);
    int n = 0;
    db.for_each_sample("t", [&](const SampleRow&) { ++n; });
    db.count_samples();
    db.put_sample(sample("t", 1000));
    FAIL("expected a StoreError");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    MESSAGE(msg);
    CHECK(msg.find(file.string() + ": ") == 0);
    CHECK(msg.find("delete the folder or choose another --out") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}
