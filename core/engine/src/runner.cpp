#include <spdlog/spdlog.h>
#include <trustllm/engine/host_services.hpp>
#include <trustllm/engine/manifest.hpp>
#include <trustllm/engine/model_client.hpp>
#include <trustllm/engine/progress.hpp>
#include <trustllm/engine/runner.hpp>
#include <trustllm/engine/derived.hpp>
#include <trustllm/engine/sampling.hpp>
#include <trustllm/engine/samples_file.hpp>
#include <trustllm/engine/in_order.hpp>
#include <trustllm/report/outputs.hpp>
#include <trustllm/report/run_report.hpp>
#include <trustllm/store/store.hpp>
#include <trustllm/util/canonical_json.hpp>
#include <trustllm/util/seed.hpp>
#include <trustllm/engine/intervals.hpp>
#include <trustllm/util/time.hpp>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <exception>
#include <thread>
#include <unordered_set>

namespace trustllm::engine {

using json = nlohmann::json;

namespace {

// Reads from the cache database (which also sees entries queued but not yet committed);
// writes go through the group-commit writer.
class StoreCache : public ResponseCache {
 public:
  StoreCache(store::CacheDb& db, store::Writer& writer) : db_(db), writer_(writer) {}
  std::optional<std::string> get(const std::string& key) override { return db_.get(key); }
  void put(const std::string& key, const std::string& inputs,
           const std::string& response) override {
    writer_.enqueue_cache(store::CacheEntry{key, inputs, response});
  }

 private:
  store::CacheDb& db_;
  store::Writer& writer_;
};

// A bounded multi-producer multi-consumer queue.
template <class T>
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  bool push(T v, const std::atomic<bool>& cancel) {
    std::unique_lock lock(m_);
    not_full_.wait(lock, [&] { return q_.size() < capacity_ || cancel.load(); });
    if (cancel.load()) return false;
    q_.push_back(std::move(v));
    not_empty_.notify_one();
    return true;
  }
  std::optional<T> pop() {
    std::unique_lock lock(m_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard lock(m_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void wake() { not_full_.notify_all(); }

 private:
  size_t capacity_;
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> q_;
  bool closed_ = false;
};

struct WorkItem {
  uint64_t seq;    // position in the dataset
  size_t index;    // position among the items this run generates (in seq order)
  json item;
};

std::string metric_key(size_t index, const PluginRef& m) {
  return std::to_string(index) + ":" + m.plugin;
}

// A fresh run (no --resume, no re-scoring) aggregates its metrics and writes samples.jsonl
// while it generates: each finished sample goes, in item order (InOrder), to every metric's
// accumulator and to samples.jsonl — what the pass over the run database would compute
// afterwards, without reading the run back. A task falls back to that pass when an item id
// repeats or too many samples wait for a slow earlier one.
struct MetricStream {
  std::unique_ptr<host::MetricHandle::Aggregation> agg;
  std::optional<std::string> error;  // the aggregation failed: reported as the metric's error
  uint64_t failed_evals = 0;
  std::string first_failure;
};

struct FinishedSample {
  store::SampleRow row;
  SampleRecords records;  // one per metric, in metric order
  std::string finish_reason;
};

struct TaskStream {
  std::vector<MetricStream> metrics;
  InOrder<FinishedSample> order;
  std::unordered_set<std::string> ids;
  std::atomic<bool> valid{true};
  std::string head;  // samples.jsonl line head
  static constexpr size_t kMaxParked = 100000;
};

struct TaskRuntime {
  const TaskSpec* spec = nullptr;
  std::optional<host::DatasetHandle> dataset;
  std::vector<host::MetricHandle> metrics;
  json info;
  bool skipped = false;
  std::string skip_reason;
  std::unique_ptr<TaskStream> stream;  // set while (and after) a fresh run streams this task
};

json aggregation_error(const std::string& plugin, const std::string& what) {
  return {{"metrics", json::array({{{"metric", plugin},
                                    {"value", nullptr},
                                    {"n", 0},
                                    {"status", "error"},
                                    {"reason", what}}})}};
}

// Asks one aggregation for bootstrap replicates (when the run wants intervals). Plugins built
// against ABI 1.0 cannot take options: their entries get no ci95.
void configure_bootstrap(host::MetricHandle::Aggregation& agg, const RunOptions& options,
                         const Suite& suite, const TaskSpec& spec, const std::string& key) {
  if (options.bootstrap_resamples == 0) return;
  agg.configure(json{{"bootstrap",
                      {{"resamples", options.bootstrap_resamples},
                       {"seed", bootstrap_seed(suite.seed, spec.id, key)}}}}
                    .dump());
}

// Counts a record that says its evaluation failed (cheap test first: most records do not).
void count_failure(const std::string& record, uint64_t& failed, std::string& first_failure) {
  if (record.find("\"failed\"") == std::string::npos) return;
  json r = json::parse(record, nullptr, false);
  if (r.is_object() && r.value("failed", false)) {
    if (failed++ == 0) first_failure = r.value("reason", std::string());
  }
}

json build_request(const TaskSpec& task, const json& item, uint64_t run_seed) {
  json gen = item.value("generation", json::object());
  for (auto& [k, v] : task.generation.items()) gen[k] = v;
  json req;
  req["op"] = "chat";
  if (item.contains("messages")) {
    req["messages"] = item["messages"];
  } else {
    req["messages"] =
        json::array({{{"role", "user"}, {"content", item.value("prompt", std::string())}}});
  }
  for (auto& [k, v] : gen.items()) req[k] = v;
  const std::string id = item.at("id").is_string() ? item.at("id").get<std::string>()
                                                    : item.at("id").dump();
  const std::string& seed_key = task.seed_key.empty() ? task.id : task.seed_key;
  req["seed"] = util::item_seed(run_seed, seed_key, id) >> 1;  // fits a signed 64-bit integer
  req["context"] = {{"task", task.id}, {"item_id", id}};
  if (item.contains("source")) req["context"]["source"] = item["source"];
  return req;
}

// The sample as metrics see it, {"fields","id","prompt","response","response_meta","task"}:
// the text json::dump() gives for that object (keys in order), written without building it.
void compose_sample(std::string& out, const std::string& task, const std::string& id,
                    const std::string& prompt, const std::string& response_json,
                    const std::string& meta_json, const json& item) {
  out.clear();
  out.reserve(prompt.size() + response_json.size() + meta_json.size() + 128);
  out += "{\"fields\":";
  auto fields = item.find("fields");
  out += fields != item.end() ? fields->dump() : std::string("{}");
  out += ",\"id\":";
  util::append_json_string(out, id);
  out += ",\"prompt\":";
  util::append_json_string(out, prompt);
  out += ",\"response\":";
  out += response_json;
  out += ",\"response_meta\":";
  out += meta_json;
  out += ",\"task\":";
  util::append_json_string(out, task);
  out += '}';
}

std::string item_id(const json& item) {
  const json& id = item.at("id");
  return id.is_string() ? id.get<std::string>() : id.dump();
}

// samples.jsonl from the run database (a resumed or re-scored run; a fresh run streams it).
void write_samples(const fs::path& path, store::RunDb& db, const std::vector<TaskRuntime>& tasks) {
  report::write_lines(path, [&](const std::function<void(std::string_view)>& emit) {
    std::string line;
    for (const auto& rt : tasks) {
      const TaskSpec& spec = *rt.spec;
      // item -> [(metric key, record text)], in metric order
      std::map<std::string, SampleRecords> evals;
      for (size_t i = 0; i < spec.metrics.size(); ++i) {
        const std::string key = metric_key(i, spec.metrics[i]);
        db.for_each_evaluation(spec.id, key, [&](const store::EvaluationRow& ev) {
          evals[ev.item_id].emplace_back(key, ev.record);
        });
      }
      const std::string head = samples_line_head(spec.id, spec.dimension);
      static const SampleRecords kNone;
      db.for_each_sample(spec.id, [&](const store::SampleRow& s) {
        auto it = evals.find(s.item_id);
        compose_samples_line(line, head, s, it != evals.end() ? it->second : kNone);
        emit(line);
      });
    }
  });
}

}  // namespace

RunResult run_suite(const Suite& suite, plugin::Registry& registry, const RunOptions& options,
                    const std::atomic<bool>& cancel) {
  RunResult result;
  const std::string started = util::iso8601_utc_now();
  util::Stopwatch clock;
  fs::create_directories(options.out_dir);

  // ---- storage -------------------------------------------------------------------------
  auto db_ptr = std::make_shared<store::RunDb>(options.out_dir / "run.sqlite");
  store::RunDb& db = *db_ptr;
  auto cache_db = store::CacheDb::open_for_run(db, options.cache_file);
  if (!options.resume && !options.rescore) db.clear_samples();
  store::Writer writer(db_ptr, cache_db);
  StoreCache cache(*cache_db, writer);

  // ---- models --------------------------------------------------------------------------
  std::map<std::string, std::unique_ptr<ModelClient>> clients;
  for (const auto& [role, binding] : suite.roles) {
    auto comp = registry.load(binding.model.plugin, TLM_KIND_MODEL);
    clients[role] = std::make_unique<ModelClient>(binding, comp, options.jobs, &cache, &cancel);
  }
  HostContext host_ctx;
  host_ctx.call_model = [&](std::string_view role, std::string_view request,
                            const host::CallOptions&) -> std::string {
    auto it = clients.find(std::string(role));
    if (it == clients.end()) {
      const std::string r(role);
      const std::string flag = r == "model" || r == "judge" ? "--" + r + " FILE.yaml"
                                                            : "--role " + r + "=FILE.yaml";
      throw host::CallError(TLM_E_CONFIG, "no model is bound to role '" + r +
                                              "' — add it under roles: in the suite or pass " +
                                              flag);
    }
    json req = json::parse(request);
    return it->second->call(req, nullptr).response_json;
  };
  host::CallOptions opts;
  opts.cancel_flag = &cancel;
  opts.host_context = &host_ctx;

  ModelClient* model = nullptr;
  if (auto it = clients.find("model"); it != clients.end()) model = it->second.get();

  // ---- tasks ---------------------------------------------------------------------------
  std::vector<TaskRuntime> tasks;
  json task_infos = json::array();
  for (const auto& spec : suite.tasks) {
    TaskRuntime rt;
    rt.spec = &spec;
    auto comp = registry.load(spec.dataset.plugin, TLM_KIND_DATASET);
    try {
      rt.dataset.emplace(comp, spec.dataset.config.dump(), host_api(), opts);
    } catch (const host::CallError& e) {
      if (e.status() == TLM_E_NOT_FOUND && options.skip_missing_datasets) {
        spdlog::info("task {}: {} — left out", spec.id, e.what());
        continue;
      }
      throw host::CallError(e.status(), "task " + spec.id + ": dataset '" + spec.dataset.plugin +
                                            "': " + e.what());
    }
    rt.info = json::parse(rt.dataset->info(opts));
    for (const auto& m : spec.metrics) {
      auto mc = registry.load(m.plugin, TLM_KIND_METRIC);
      try {
        rt.metrics.emplace_back(mc, m.config.dump(), host_api(), opts);
      } catch (const host::CallError& e) {
        throw host::CallError(e.status(),
                              "task " + spec.id + ": metric '" + m.plugin + "': " + e.what());
      }
    }
    task_infos.push_back({{"task", spec.id}, {"dimension", spec.dimension}, {"info", rt.info}});
    tasks.push_back(std::move(rt));
  }
  if (!model && !options.rescore) {
    bool any = !tasks.empty();
    if (any) {
      throw host::CallError(TLM_E_CONFIG,
                            suite.file.string() +
                                ": no model is bound to role 'model' — add roles: {model: "
                                "configs/models/stories260k.yaml} or pass --model FILE.yaml");
    }
  }

  // Manifest first, so an interrupted run still says what it was.
  json manifest = make_manifest(suite, registry, options, task_infos, started);
  for (const auto& [role, c] : clients) manifest["roles"][role]["identity"] = c->identity();
  manifest["bootstrap"] = {{"resamples", options.bootstrap_resamples}, {"seed", suite.seed}};
  if (!suite.report.empty()) manifest["report"] = suite.report;
  report::write_json(options.out_dir / "manifest.json", manifest);

  uint64_t failed_samples = 0;
  bool interrupted = false;

  // ---- streamed outputs (a fresh run) ----------------------------------------------------
  const bool streaming = !options.resume && !options.rescore;
  const fs::path samples_part = options.out_dir / "samples.jsonl.part";
  // The sample browser's records for report.html, rendered from the same samples.
  const fs::path block_part = options.out_dir / ".report-samples.part";
  std::ofstream samples_stream, block_stream;
  bool samples_stream_ok = false;  // samples.jsonl is complete in samples_part
  {
    std::error_code ec;
    fs::remove(block_part, ec);  // left by a run that stopped before its report
  }
  if (streaming) {
    samples_stream.open(samples_part, std::ios::binary | std::ios::trunc);
    block_stream.open(block_part, std::ios::binary | std::ios::trunc);
    samples_stream_ok = samples_stream.is_open() && block_stream.is_open();
  }
  struct RemovePart {
    const fs::path& path;
    bool keep = false;
    ~RemovePart() {
      std::error_code ec;
      if (!keep) fs::remove(path, ec);  // an interrupted or failed run leaves no partial file
    }
  } remove_part{samples_part}, remove_block{block_part};
  std::string stream_line;
  json browser_records;
  // In item order, one sample at a time (see TaskStream).
  auto consume = [&](TaskStream& ts, FinishedSample& f) {
    if (!ts.valid.load()) return;
    if (!ts.ids.insert(f.row.item_id).second) {
      ts.valid = false;  // a repeated id: the database keeps one row, so let the pass decide
      return;
    }
    for (size_t m = 0; m < ts.metrics.size() && m < f.records.size(); ++m) {
      MetricStream& ms = ts.metrics[m];
      const std::string& record = f.records[m].second;
      count_failure(record, ms.failed_evals, ms.first_failure);
      if (!ms.agg) continue;
      try {
        ms.agg->add(f.row.sample, record);
      } catch (const host::CallError& e) {
        ms.error = e.what();
        ms.agg.reset();
      }
    }
    if (samples_stream_ok) {
      // Each record is parsed once: for the line's "score" (the first record that has one)
      // and for the page, which shows what it would read back from the line (a record that
      // is not JSON makes the line unreadable, and the page leaves the sample out).
      browser_records = json::object();
      bool readable = true;
      std::string score = "null";
      for (const auto& [key, record] : f.records) {
        json r = json::parse(record, nullptr, false);
        if (r.is_discarded()) readable = false;
        if (score == "null" && r.is_object() && r.contains("score")) score = r["score"].dump();
        browser_records[key] = std::move(r);
      }
      compose_samples_line(stream_line, ts.head, f.row, f.records, &score);
      stream_line += '\n';
      samples_stream.write(stream_line.data(), static_cast<std::streamsize>(stream_line.size()));
      if (readable) {
        std::string prompt, response = "null";
        util::append_json_string(prompt, f.row.prompt);
        if (f.row.response) {
          response.clear();
          util::append_json_string(response, *f.row.response);
        }
        stream_line = report::script_escape(report::browser_record_json(
            f.row.task, f.row.item_id, prompt, response, f.row.status, f.finish_reason,
            browser_records));
        stream_line += '\n';
        block_stream.write(stream_line.data(), static_cast<std::streamsize>(stream_line.size()));
      }
    }
  };

  // ---- generation + evaluation ----------------------------------------------------------
  for (auto& rt : tasks) {
    if (cancel.load()) break;
    const TaskSpec& spec = *rt.spec;
    if (options.rescore) {
      // Re-evaluate the stored samples; judge replies come from the cache unless the judge or
      // its prompt changed.
      std::vector<std::pair<std::string, std::string>> stored;  // (item id, sample json)
      db.for_each_sample(spec.id, [&](const store::SampleRow& r) {
        stored.emplace_back(r.item_id, r.sample);
      });
      Progress progress(!options.quiet && Progress::stderr_is_terminal(), spec.id + " (score)",
                        stored.size());
      std::atomic<size_t> next{0};
      auto worker = [&] {
        for (size_t i = next++; i < stored.size() && !cancel.load(); i = next++) {
          std::vector<store::EvaluationRow> evals;
          for (size_t m = 0; m < rt.metrics.size(); ++m) {
            store::EvaluationRow ev{spec.id, stored[i].first, metric_key(m, spec.metrics[m]), ""};
            try {
              ev.record = rt.metrics[m].evaluate(stored[i].second, opts);
            } catch (const host::CallError& e) {
              ev.record =
                  json{{"excluded", true}, {"failed", true}, {"reason", e.what()}}.dump();
            }
            evals.push_back(std::move(ev));
          }
          writer.enqueue_evaluations(std::move(evals));
          progress.advance();
        }
      };
      std::vector<std::thread> pool;
      for (unsigned i = 0; i < std::max(1u, options.jobs); ++i) pool.emplace_back(worker);
      for (auto& t : pool) t.join();
      progress.finish();
      if (cancel.load()) {
        interrupted = true;
        break;
      }
      continue;
    }
    const uint64_t count = rt.dataset->count(opts);

    std::optional<uint64_t> limit = spec.limit;
    if (options.limit) limit = limit ? std::min(*limit, *options.limit) : *options.limit;
    const uint64_t chunk = 256;
    std::unordered_set<std::string> done;
    if (options.resume) done = db.done_items(spec.id);
    // Pass 1 (only with a limit or on resume): ids and strata only, bounded memory, for the
    // seeded selection and the finished-item check.
    std::vector<ItemRef> refs;
    std::vector<uint64_t> pending;
    uint64_t selected_count = count;
    if (limit || !done.empty()) {
      refs.reserve(count);
      for (uint64_t first = 0; first < count; first += chunk) {
        rt.dataset->read(first, chunk, [&](std::string_view s) {
          json it = json::parse(s);
          auto g = it.find("group");
          refs.push_back({refs.size(), item_id(it), it.value("stratum", std::string()),
                          g != it.end() && g->is_string() ? g->get<std::string>() : std::string()});
        }, opts);
      }
      std::vector<uint64_t> selected;
      if (limit) {
        selected = select_items(refs, *limit, suite.seed,
                                spec.seed_key.empty() ? spec.id : spec.seed_key);
      } else {
        selected.resize(refs.size());
        for (uint64_t i = 0; i < selected.size(); ++i) selected[i] = i;
      }
      selected_count = selected.size();
      for (uint64_t idx : selected) {
        if (!done.count(refs[idx].id)) pending.push_back(idx);
      }
    } else {
      pending.resize(count);
      for (uint64_t i = 0; i < count; ++i) pending[i] = i;
    }
    db.put_task(spec.id, json{{"dimension", spec.dimension},
                              {"selected", selected_count},
                              {"info", rt.info}}
                             .dump());
    refs.clear();
    refs.shrink_to_fit();

    if (streaming) {
      rt.stream = std::make_unique<TaskStream>();
      rt.stream->head = samples_line_head(spec.id, spec.dimension);
      for (size_t i = 0; i < rt.metrics.size(); ++i) {
        MetricStream ms;
        try {
          ms.agg = std::make_unique<host::MetricHandle::Aggregation>(rt.metrics[i], opts);
          configure_bootstrap(*ms.agg, options, suite, spec, metric_key(i, spec.metrics[i]));
        } catch (const host::CallError& e) {
          ms.error = e.what();
          ms.agg.reset();
        }
        rt.stream->metrics.push_back(std::move(ms));
      }
    }

    Progress progress(!options.quiet && Progress::stderr_is_terminal(), spec.id, pending.size());
    unsigned workers = std::max(1u, options.jobs);
    WorkQueue<WorkItem> queue(workers * 4);
    std::atomic<uint64_t> task_failed{0};
    std::mutex error_mutex;
    std::string fatal_error;

    auto worker = [&] {
      while (auto w = queue.pop()) {
        if (cancel.load()) continue;
        const json& item = w->item;
        const std::string id = item_id(item);
        store::SampleRow row;
        row.task = spec.id;
        row.item_id = id;
        row.seq = static_cast<int64_t>(w->seq);
        row.prompt = item.value("prompt", std::string());
        std::string response = "null";  // the response as JSON text
        std::string finish_reason;
        bool cached = false;
        try {
          json request = build_request(spec, item, suite.seed);
          auto r = model->call(request, &host_ctx);
          cached = r.cached;
          const json& resp = r.response;
          if (auto t = resp.find("text"); t != resp.end()) {
            response = t->dump();
            if (t->is_string()) row.response = t->get<std::string>();
          }
          json meta = json::object();
          for (const char* k : {"finish_reason", "refused_by_provider", "model", "usage"}) {
            if (auto v = resp.find(k); v != resp.end()) meta[k] = *v;
          }
          if (auto v = resp.find("finish_reason"); v != resp.end() && v->is_string()) {
            finish_reason = v->get<std::string>();
          }
          if (r.cached) meta["cached"] = true;
          row.response_meta = meta.dump();
          row.status = "ok";
        } catch (const host::CallError& e) {
          if (cancel.load()) continue;  // interrupted: store nothing for this item
          row.status = "failed";
          row.error = e.what();
          task_failed++;
          if (e.status() == TLM_E_CONFIG || e.status() == TLM_E_REQUEST) {
            std::lock_guard lock(error_mutex);
            if (fatal_error.empty()) fatal_error = e.what();
          }
        }
        compose_sample(row.sample, spec.id, id, row.prompt, response, row.response_meta, item);
        std::vector<store::EvaluationRow> evals;
        for (size_t i = 0; i < rt.metrics.size(); ++i) {
          store::EvaluationRow ev;
          ev.task = spec.id;
          ev.item_id = id;
          ev.metric_key = metric_key(i, spec.metrics[i]);
          try {
            ev.record = rt.metrics[i].evaluate(row.sample, opts);
          } catch (const host::CallError& e) {
            if (cancel.load()) break;
            ev.record = json{{"excluded", true}, {"failed", true}, {"reason", e.what()}}.dump();
          }
          evals.push_back(std::move(ev));
        }
        if (cancel.load()) continue;
        if (rt.stream && rt.stream->valid.load()) {
          FinishedSample f{row, {}, finish_reason};
          f.records.reserve(evals.size());
          for (const auto& ev : evals) f.records.emplace_back(ev.metric_key, ev.record);
          const size_t waiting = rt.stream->order.finished(
              w->index, std::move(f), [&](FinishedSample& x) { consume(*rt.stream, x); });
          if (waiting > TaskStream::kMaxParked) {  // one item holds up too many: give up
            rt.stream->valid = false;
            rt.stream->order.clear();
          }
        }
        writer.enqueue_sample(std::move(row), std::move(evals));
        progress.advance(1, cached, false);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < workers; ++i) pool.emplace_back(worker);

    // Pass 2: stream the selected items to the workers.
    try {
      size_t next = 0;
      while (next < pending.size() && !cancel.load() && fatal_error.empty()) {
        const uint64_t first = pending[next] / chunk * chunk;  // the chunk holding the next item
        uint64_t pos = first;
        rt.dataset->read(first, chunk, [&](std::string_view s) {
          if (next < pending.size() && pending[next] == pos) {
            queue.push(WorkItem{pos, next, json::parse(s)}, cancel);
            ++next;
          }
          ++pos;
        }, opts);
        if (next < pending.size() && pending[next] < first + chunk) {
          throw host::CallError(TLM_E_INPUT, "task " + spec.id + ": dataset '" +
                                                 spec.dataset.plugin + "' returned fewer items "
                                                 "than its count — fix the plugin");
        }
      }
    } catch (...) {
      queue.close();
      for (auto& t : pool) t.join();
      throw;
    }
    queue.close();
    for (auto& t : pool) t.join();
    progress.finish();
    if (rt.stream && (!rt.stream->valid.load() || rt.stream->order.next() != pending.size())) {
      rt.stream.reset();  // the pass over the database aggregates this task
      samples_stream_ok = false;
    }
    failed_samples += task_failed.load();
    if (!fatal_error.empty()) {
      writer.flush();
      throw host::CallError(TLM_E_REQUEST, "task " + spec.id + ": " + fatal_error);
    }
    if (cancel.load()) {
      interrupted = true;
      break;
    }
  }
  writer.flush();
  spdlog::info("generation and evaluation: {:.2f}s", clock.seconds());

  if (interrupted || cancel.load()) {
    manifest["interrupted_at"] = util::iso8601_utc_now();
    report::write_json(options.out_dir / "manifest.json", manifest);
    result.exit_code = kExitInterrupted;
    return result;
  }

  // samples.jsonl: streamed by a fresh run, otherwise written on its own thread (and its own
  // database connection) while the metrics aggregate.
  std::exception_ptr samples_error;
  if (samples_stream_ok) {
    samples_stream.close();
    block_stream.close();
    if (!samples_stream || !block_stream) {
      samples_stream_ok = false;
    } else {
      fs::rename(samples_part, options.out_dir / "samples.jsonl");
      remove_block.keep = true;
      result.sample_block = block_part;
    }
  } else {
    if (samples_stream.is_open()) samples_stream.close();
    if (block_stream.is_open()) block_stream.close();
  }
  std::thread samples_writer;
  if (!samples_stream_ok) {
    samples_writer = std::thread([&] {
      try {
        store::RunDb reader(options.out_dir / "run.sqlite");
        write_samples(options.out_dir / "samples.jsonl", reader, tasks);
      } catch (...) {
        samples_error = std::current_exception();
      }
    });
  }
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join_samples{samples_writer};

  // ---- aggregation ------------------------------------------------------------------------
  json metrics = json::array();
  for (auto& rt : tasks) {
    const TaskSpec& spec = *rt.spec;
    for (size_t i = 0; i < rt.metrics.size(); ++i) {
      const std::string key = metric_key(i, spec.metrics[i]);
      uint64_t failed_evals = 0;
      std::string first_failure;
      json out;
      if (rt.stream) {  // aggregated while generating: only the statistic is left to compute
        MetricStream& ms = rt.stream->metrics[i];
        failed_evals = ms.failed_evals;
        first_failure = ms.first_failure;
        try {
          out = ms.error ? aggregation_error(spec.metrics[i].plugin, *ms.error)
                         : json::parse(ms.agg->finish());
        } catch (const host::CallError& e) {
          out = aggregation_error(spec.metrics[i].plugin, e.what());
        }
      } else {
        std::map<std::string, std::string> records;
        db.for_each_evaluation(spec.id, key, [&](const store::EvaluationRow& ev) {
          count_failure(ev.record, failed_evals, first_failure);
          records.emplace(ev.item_id, ev.record);
        });
        try {
          auto agg = rt.metrics[i].aggregate(opts);
          configure_bootstrap(agg, options, suite, spec, key);
          db.for_each_sample(spec.id, [&](const store::SampleRow& s) {
            auto it = records.find(s.item_id);
            if (it != records.end()) agg.add(s.sample, it->second);
          });
          out = json::parse(agg.finish());
        } catch (const host::CallError& e) {
          out = aggregation_error(spec.metrics[i].plugin, e.what());
        }
      }
      for (auto m : out.value("metrics", json::array())) {
        json entry = {{"dimension", spec.dimension}, {"task", spec.id}};
        for (auto& [k, v] : m.items()) entry[k] = v;
        if (failed_evals > 0) {
          // Evaluations that failed (e.g. no judge bound, judge unreachable) are excluded by the
          // metric; say so, and why, next to the value.
          entry["failed_evaluations"] = failed_evals;
          if (!(entry.contains("status") && entry["status"] == "ok")) {
            entry["reason"] = std::to_string(failed_evals) + " evaluation(s) failed: " +
                              first_failure;
          }
        }
        metrics.push_back(entry);
      }
    }
    if (!spec.derived.empty()) {
      json task_entries = json::array();
      for (const json& e : metrics) {
        if (e.value("task", std::string()) == spec.id) task_entries.push_back(e);
      }
      for (const DerivedMetric& d : spec.derived) {
        json e = derive_metric(d, task_entries, spec.dimension, spec.id);
        task_entries.push_back(e);  // a derived metric may use an earlier one
        metrics.push_back(std::move(e));
      }
    }
  }

  // Replicates (plugins' and derived metrics') become ci95; summary.json keeps only the interval.
  for (json& e : metrics) attach_interval(e);
  spdlog::info("aggregation done: {:.2f}s", clock.seconds());
  json summary;
  summary["suite"] = suite.name;
  summary["model"] = model ? model->identity().value("model", std::string()) : std::string();
  summary["metrics"] = metrics;
  result.summary = summary;

  // ---- outputs ----------------------------------------------------------------------------
  report::write_json(options.out_dir / "summary.json", summary);
  if (samples_writer.joinable()) samples_writer.join();
  if (samples_error) std::rethrow_exception(samples_error);
  spdlog::info("outputs written: {:.2f}s", clock.seconds());
  manifest["finished_at"] = util::iso8601_utc_now();
  manifest["duration_seconds"] = clock.seconds();
  json usage = json::object();
  for (const auto& [role, c] : clients) {
    auto& st = c->stats();
    usage[role] = {{"calls", st.calls.load()},         {"cache_hits", st.cache_hits.load()},
                   {"retries", st.retries.load()},     {"failures", st.failures.load()},
                   {"prompt_tokens", st.prompt_tokens.load()},
                   {"completion_tokens", st.completion_tokens.load()}};
  }
  manifest["usage"] = usage;
  manifest["failed_samples"] = failed_samples;
  report::write_json(options.out_dir / "manifest.json", manifest);
  if (!options.quiet) report::print_table(summary, stdout);
  result.exit_code = kExitOk;
  return result;
}

}  // namespace trustllm::engine
