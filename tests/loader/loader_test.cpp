// The host's plugin loader against real fixture libraries (tests/plugins/): discovery from
// sidecars, the handshake and its messages, load-time symbol resolution, symbol isolation
// between plugins, once-per-path loading, and the host.hpp handles end to end.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <trustllm/host.hpp>
#include <trustllm/plugin/registry.hpp>
#include <vector>

#include "fake_host.hpp"

namespace fs = std::filesystem;
namespace plugin = trustllm::plugin;
namespace host = trustllm::host;
using json = nlohmann::json;

namespace {

const fs::path kGood = FIXTURE_GOOD;
const fs::path kNewerMinor = FIXTURE_NEWER_MINOR;
const fs::path kThrows = FIXTURE_THROWS_IN_CREATE;
const fs::path kSameA = FIXTURE_SAME_SYMBOL_A;
const fs::path kSameB = FIXTURE_SAME_SYMBOL_B;
const fs::path kAbiMajor = FIXTURE_ABI_MAJOR_MISMATCH;
const fs::path kMissingEntry = FIXTURE_MISSING_ENTRY;
const fs::path kUnresolved = FIXTURE_UNRESOLVED_SYMBOL;

fs::path sidecar_of(const fs::path& so) {
  return so.parent_path() / (so.stem().string() + ".plugin.json");
}

std::string canon(const fs::path& p) { return fs::weakly_canonical(p).string(); }

std::string version(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// The PluginError message of loading `path` (fails the test when it loads).
std::string load_error(const fs::path& path) {
  try {
    plugin::load_library(path);
  } catch (const plugin::PluginError& e) {
    return e.what();
  }
  FAIL("expected " << path << " to be refused");
  return {};
}

// The status and message of a CallError thrown by f().
template <class F>
std::pair<tlm_status, std::string> call_error(F&& f) {
  try {
    f();
  } catch (const host::CallError& e) {
    return {e.status(), e.what()};
  }
  FAIL("expected a host::CallError");
  return {TLM_OK, {}};
}

host::Component component_of(const std::shared_ptr<const plugin::LoadedLibrary>& lib,
                             std::string_view name) {
  for (size_t i = 0; i < lib->info->component_count; ++i) {
    const tlm_component_desc* d = lib->info->components[i];
    if (name == d->name) {
      host::Component c;
      c.desc = d;
      c.library = lib->pin;
      c.path = lib->path.string();
      return c;
    }
  }
  FAIL("no component " << name << " in " << lib->path);
  return {};
}

// A fresh folder under the system temp dir, removed at the end of the test case. Libraries
// loaded from it stay mapped (RTLD_NODELETE), so removing the files is harmless.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "loader_test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool is_loaded(const fs::path& so) {
  void* h = dlopen(canon(so).c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (h) dlclose(h);  // drops only the reference RTLD_NOLOAD took
  return h != nullptr;
}

json chat(std::string_view text) {
  return {{"op", "chat"}, {"messages", json::array({{{"role", "user"}, {"content", text}}})}};
}

}  // namespace

// ---- discovery -------------------------------------------------------------------------------

TEST_CASE("the registry lists plugins from their sidecars and loads a library only when used") {
  // A private copy: a library file nobody in this process has loaded yet, whatever the test order.
  TempDir tmp;
  fs::copy_file(kGood, tmp.path / kGood.filename());
  fs::copy_file(sidecar_of(kGood), tmp.path / sidecar_of(kGood).filename());
  const fs::path copy = tmp.path / kGood.filename();

  plugin::Registry registry;
  registry.add_search_dir(tmp.path);
  auto list = registry.list();
  REQUIRE(list.size() == 3);
  CHECK(list[0].name == "fixture_dataset");
  CHECK(list[0].kind == TLM_KIND_DATASET);
  CHECK(list[1].name == "fixture_model");
  CHECK(list[1].kind == TLM_KIND_MODEL);
  CHECK(list[2].name == "fixture_metric");
  CHECK(list[2].kind == TLM_KIND_METRIC);
  for (const auto& c : list) {
    CHECK(canon(c.library) == canon(copy));
    CHECK(canon(c.sidecar) == canon(tmp.path / sidecar_of(kGood).filename()));
  }
  CHECK(registry.warnings().empty());
  CHECK(registry.contains("fixture_model", TLM_KIND_MODEL));
  CHECK_FALSE(registry.contains("fixture_model", TLM_KIND_METRIC));
  CHECK_FALSE(is_loaded(copy));  // listing and finding ran no plugin code

  host::Component c = registry.load("fixture_model", TLM_KIND_MODEL);
  CHECK(is_loaded(copy));
  CHECK(std::string_view(c.name()) == "fixture_model");
  CHECK(c.path == canon(copy));
  CHECK(c.library != nullptr);
}

TEST_CASE("a sidecar alone is enough to list a plugin; loading it names the missing library") {
  TempDir tmp;
  fs::copy_file(sidecar_of(kGood), tmp.path / sidecar_of(kGood).filename());
  plugin::Registry registry;
  registry.add_search_dir(tmp.path);
  CHECK(registry.list().size() == 3);
  try {
    registry.load("fixture_metric", TLM_KIND_METRIC);
    FAIL("loaded a library that does not exist");
  } catch (const plugin::PluginError& e) {
    std::string msg = e.what();
    CHECK(msg.find((tmp.path / kGood.filename()).string()) != std::string::npos);
    CHECK(msg.find("not found") != std::string::npos);
  }
}

TEST_CASE("the registry warns about broken and duplicate sidecars and keeps the first") {
  TempDir tmp;
  fs::copy_file(sidecar_of(kGood), tmp.path / sidecar_of(kGood).filename());
  std::ofstream(tmp.path / "broken.plugin.json") << "{ not json";
  plugin::Registry registry;
  registry.add_search_dir(kGood.parent_path());
  registry.add_search_dir(tmp.path);
  registry.add_search_dir(kGood.parent_path());  // again: ignored
  CHECK(registry.search_dirs().size() == 2);
  CHECK(registry.list().size() == 3);
  CHECK(canon(registry.find("fixture_model", TLM_KIND_MODEL).library) == canon(kGood));
  const auto& w = registry.warnings();
  REQUIRE(w.size() == 4);  // broken.plugin.json, then three duplicates
  CHECK(w[0].find("broken.plugin.json") != std::string::npos);
  for (size_t i = 1; i < w.size(); ++i) CHECK(w[i].find("already provided") != std::string::npos);
}

TEST_CASE("the sidecar matches the descriptors inside the library") {
  auto sidecar = plugin::read_sidecar(sidecar_of(kGood));
  auto lib = plugin::load_library(kGood);
  REQUIRE(lib->info != nullptr);
  CHECK(lib->info->abi_major == TLM_ABI_MAJOR);
  CHECK(lib->info->abi_minor == TLM_ABI_MINOR);
  REQUIRE(sidecar.size() == lib->info->component_count);
  for (size_t i = 0; i < sidecar.size(); ++i) {
    const plugin::ComponentInfo& s = sidecar[i];
    const tlm_component_desc* d = lib->info->components[i];
    CAPTURE(s.name);
    CHECK(s.name == d->name);
    CHECK(static_cast<uint32_t>(s.kind) == d->kind);
    CHECK(s.version == d->version);
    CHECK(s.description == d->description);
    CHECK(s.license == d->license);
    CHECK(s.config_schema == json::parse(d->config_schema_json));
    CHECK(s.example_config == d->example_config_yaml);
    CHECK(s.capabilities == d->capabilities);
    CHECK(s.max_concurrency == d->max_concurrency);
    CHECK(canon(s.library) == canon(kGood));
  }
  // Values as declared in good.cpp, so a dumper that wrote defaults would not pass either.
  CHECK(sidecar[0].version == "1.2.3");
  CHECK(sidecar[0].license == "MIT");
  CHECK(sidecar[0].example_config == "items: 3\n");
  CHECK(sidecar[0].config_schema["properties"]["items"]["default"] == 3);
  CHECK(sidecar[1].capabilities == (TLM_CAP_CHAT | TLM_CAP_CONCURRENT_CALLS));
  CHECK(sidecar[1].max_concurrency == 4);
  CHECK(sidecar[2].version == "2.0.0");
}

TEST_CASE("Registry::find suggests the closest name") {
  plugin::Registry registry;
  registry.add_search_dir(kGood.parent_path());
  CHECK(registry.find("fixture_model", TLM_KIND_MODEL).name == "fixture_model");
  try {
    registry.find("fixture_modle", TLM_KIND_MODEL);
    FAIL("found a misspelt name");
  } catch (const plugin::PluginError& e) {
    std::string msg = e.what();
    CHECK(msg.find("unknown model plugin 'fixture_modle'") != std::string::npos);
    CHECK(msg.find("did you mean 'fixture_model'?") != std::string::npos);
  }
  try {
    registry.find("zzzzzz", TLM_KIND_METRIC);
    FAIL("found a name that does not exist");
  } catch (const plugin::PluginError& e) {
    std::string msg = e.what();
    CHECK(msg.find("did you mean") == std::string::npos);
    CHECK(msg.find("available: fixture_metric") != std::string::npos);
  }
}

// ---- loading ---------------------------------------------------------------------------------

TEST_CASE("a library is loaded once per canonical path") {
  auto a = plugin::load_library(kGood);
  auto b = plugin::load_library(kGood);
  auto c = plugin::load_library(kGood.parent_path() / "." / kGood.filename());
  auto d = plugin::load_library(kGood.parent_path() / ".." / "good" / kGood.filename());
  TempDir tmp;
  fs::create_symlink(kGood, tmp.path / "link.so");
  auto e = plugin::load_library(tmp.path / "link.so");
  CHECK(a.get() == b.get());
  CHECK(a.get() == c.get());
  CHECK(a.get() == d.get());
  CHECK(a.get() == e.get());
  CHECK(a->path.string() == canon(kGood));

  plugin::Registry registry;
  registry.add_search_dir(kGood.parent_path());
  host::Component m = registry.load("fixture_model", TLM_KIND_MODEL);
  host::Component x = registry.load("fixture_metric", TLM_KIND_METRIC);
  CHECK(m.library.get() == a->pin.get());
  CHECK(x.library.get() == a->pin.get());
  CHECK(m.desc == a->info->components[1]);
}

TEST_CASE("ABI major mismatch: refused, naming the file and both ABI versions") {
  std::string msg = load_error(kAbiMajor);
  CAPTURE(msg);
  CHECK(msg.find(canon(kAbiMajor)) != std::string::npos);
  CHECK(msg.find("ABI " + version(TLM_ABI_MAJOR + 1, 0)) != std::string::npos);
  CHECK(msg.find("ABI " + version(TLM_ABI_MAJOR, TLM_ABI_MINOR)) != std::string::npos);
  // A refused library is not cached as loaded: asking again gives the same answer.
  CHECK(load_error(kAbiMajor) == msg);
}

TEST_CASE("newer ABI minor: refused with a message saying the plugin is newer") {
  std::string msg = load_error(kNewerMinor);
  CAPTURE(msg);
  CHECK(msg.find(canon(kNewerMinor)) != std::string::npos);
  CHECK(msg.find("newer") != std::string::npos);
  CHECK(msg.find(version(TLM_ABI_MAJOR, TLM_ABI_MINOR + 1)) != std::string::npos);
  CHECK(msg.find(version(TLM_ABI_MAJOR, TLM_ABI_MINOR)) != std::string::npos);

  // Built with the SDK helper, it has a sidecar: listed, but refused when used.
  plugin::Registry registry;
  registry.add_search_dir(kNewerMinor.parent_path());
  REQUIRE(registry.contains("fixture_newer_model", TLM_KIND_MODEL));
  CHECK_THROWS_WITH_AS(registry.load("fixture_newer_model", TLM_KIND_MODEL),
                       doctest::Contains("newer"), plugin::PluginError);
}

TEST_CASE("missing entry point: refused, naming trustllm_plugin_entry_v1") {
  std::string msg = load_error(kMissingEntry);
  CAPTURE(msg);
  CHECK(msg.find(canon(kMissingEntry)) != std::string::npos);
  CHECK(msg.find("trustllm_plugin_entry_v1") != std::string::npos);
}

TEST_CASE("unresolved symbol: refused at load time with dlerror's text") {
  std::string msg = load_error(kUnresolved);
  CAPTURE(msg);
  CHECK(msg.find(canon(kUnresolved)) != std::string::npos);
  CHECK(msg.find("undefined symbol") != std::string::npos);
  CHECK(msg.find("tlm_fixture_function_nobody_defines") != std::string::npos);
  CHECK_FALSE(is_loaded(kUnresolved));
}

TEST_CASE("a path that does not exist is refused with its name") {
  const fs::path nowhere = kGood.parent_path() / "no_such_plugin.so";
  std::string msg = load_error(nowhere);
  CHECK(msg.find(nowhere.string()) != std::string::npos);
  CHECK(msg.find("not found") != std::string::npos);
}

// ---- exceptions ------------------------------------------------------------------------------

TEST_CASE("exceptions thrown while creating a component become CallErrors; the host survives") {
  host::Component c = component_of(plugin::load_library(kThrows), "fixture_throwing_model");
  auto create = [&](std::string_view config) {
    return call_error([&] { host::ModelHandle m(c, config, fake::api(), fake::options()); });
  };

  auto [st_runtime, msg_runtime] = create(R"({"fail":"runtime"})");
  CHECK(st_runtime == TLM_E_RUNTIME);
  CHECK(msg_runtime == "fixture: constructor failed at runtime");

  auto [st_config, msg_config] = create(R"({"fail":"config"})");
  CHECK(st_config == TLM_E_CONFIG);
  CHECK(msg_config == "/fail: fixture: configuration rejected by the constructor");

  auto [st_unknown, msg_unknown] = create(R"({"fail":"unknown"})");
  CHECK(st_unknown == TLM_E_RUNTIME);
  CHECK(msg_unknown == "unknown exception in plugin");

  auto [st_json, msg_json] = create("{ not json");
  CHECK(st_json == TLM_E_CONFIG);
  CHECK(msg_json.find("not valid JSON") != std::string::npos);

  // Still alive, and the same component constructs when asked nicely.
  host::ModelHandle ok(c, R"({"fail":"none"})", fake::api(), fake::options());
  REQUIRE(ok);
  CHECK(json::parse(ok.call(chat("hi").dump()))["text"] == "constructed");
  auto [st_identity, msg_identity] = call_error([&] { ok.identity(); });
  CHECK(st_identity == TLM_E_RUNTIME);
  CHECK(msg_identity == "fixture: identity is broken");
}

// ---- symbol isolation ------------------------------------------------------------------------

TEST_CASE("same symbol in two plugins: load A, B, then A again; each calls its own code") {
  auto letter = [](const host::ModelHandle& m) {
    json r = json::parse(m.call(chat("which?").dump()));
    return r["text"].get<std::string>() + r["exported"].get<std::string>();
  };
  auto a = plugin::load_library(kSameA);
  host::ModelHandle model_a(component_of(a, "fixture_letter_model_a"), "{}", fake::api());
  CHECK(letter(model_a) == "AA");

  auto b = plugin::load_library(kSameB);
  CHECK(a.get() != b.get());
  host::ModelHandle model_b(component_of(b, "fixture_letter_model_b"), "{}", fake::api());
  CHECK(letter(model_b) == "BB");

  auto a_again = plugin::load_library(kSameA);
  CHECK(a_again.get() == a.get());
  host::ModelHandle model_a2(component_of(a_again, "fixture_letter_model_a"), "{}", fake::api());
  CHECK(letter(model_a2) == "AA");
  CHECK(letter(model_a) == "AA");
  CHECK(letter(model_b) == "BB");
}

TEST_CASE("control: loaded RTLD_GLOBAL, plugin B would call plugin A's exported helper") {
  // Proves the fixture pair can detect a host that loads with RTLD_GLOBAL. Runs in a child
  // process on private copies, so this process's symbol scope stays clean.
  TempDir tmp;
  const fs::path copy_a = tmp.path / "global_a.so", copy_b = tmp.path / "local_b.so";
  fs::copy_file(kSameA, copy_a);
  fs::copy_file(kSameB, copy_b);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int rc = 10;
    try {
      void* ha = dlopen(copy_a.c_str(), RTLD_NOW | RTLD_GLOBAL);
      void* hb = dlopen(copy_b.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!ha || !hb) _exit(11);
      auto entry = reinterpret_cast<tlm_entry_fn>(dlsym(hb, TLM_ENTRY_SYMBOL));
      if (!entry) _exit(12);
      host::Component c;
      c.desc = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR)->components[0];
      c.path = copy_b.string();
      host::ModelHandle m(c, "{}", fake::api());
      json r = json::parse(m.call(chat("which?").dump()));
      // Hidden helper: still B's own. Exported helper: interposed by A's — unless the SDK
      // helper keeps it out of the dynamic symbol table (a version script), in which case B
      // keeps its own even under RTLD_GLOBAL (exit 20 + 0 tells the parent which case).
      const bool exported = dlsym(hb, "fixture_exported_helper") != nullptr;
      rc = (r["text"] == "B" ? 0 : 1) | (r["exported"] == (exported ? "A" : "B") ? 0 : 2);
      if (rc == 0 && !exported) rc = 20;
    } catch (...) {
      rc = 13;
    }
    _exit(rc);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  const int rc = WEXITSTATUS(status);
  if (rc == 20) {
    MESSAGE("fixture_exported_helper is not exported (version script): the control only shows "
            "that nothing crosses even under RTLD_GLOBAL");
  } else {
    CHECK(rc == 0);
  }
}

// ---- host.hpp handles end to end -------------------------------------------------------------

TEST_CASE("host.hpp handles drive the good plugin's dataset, model and metric") {
  plugin::Registry registry;
  registry.add_search_dir(kGood.parent_path());
  const auto opts = fake::options();

  SUBCASE("dataset: info, count, read") {
    host::DatasetHandle ds(registry.load("fixture_dataset", TLM_KIND_DATASET), R"({"items":5})",
                           fake::api(), opts);
    REQUIRE(ds);
    json info = json::parse(ds.info());
    CHECK(info["task"] == "fixture");
    CHECK(info["items"] == 5);
    CHECK(ds.count() == 5);
    std::vector<std::string> ids;
    ds.read(1, 3, [&](std::string_view item) { ids.push_back(json::parse(item)["id"]); });
    CHECK(ids == std::vector<std::string>{"1", "2", "3"});
    ids.clear();
    ds.read(3, 100, [&](std::string_view item) { ids.push_back(json::parse(item)["id"]); });
    CHECK(ids == std::vector<std::string>{"3", "4"});

    std::lock_guard lock(fake::state().mutex);
    const auto& logs = fake::state().logs;
    CHECK(std::find(logs.begin(), logs.end(),
                    std::pair<std::string, std::string>{"fixture_dataset",
                                                        "fixture dataset created"}) != logs.end());
  }

  SUBCASE("model: identity and call") {
    host::ModelHandle m(registry.load("fixture_model", TLM_KIND_MODEL), R"({"model":"m1"})",
                        fake::api(), opts);
    json id = json::parse(m.identity());
    CHECK(id["backend"] == "fixture");
    CHECK(id["model"] == "m1");
    json r = json::parse(m.call(chat("hello").dump()));
    CHECK(r["text"] == "echo: hello");
    CHECK(r["finish_reason"] == "stop");
  }

  SUBCASE("metric: evaluate through the judge role, then aggregate") {
    host::MetricHandle metric(registry.load("fixture_metric", TLM_KIND_METRIC), "{}", fake::api(),
                              opts);
    const json samples[] = {
        {{"id", "0"}, {"response", "a bad answer"}},
        {{"id", "1"}, {"response", "a fine answer"}},
        {{"id", "2"}, {"response", nullptr}},  // generation failed: excluded
    };
    size_t judged_before = fake::state().judge_requests.size();
    std::vector<json> records;
    for (const json& s : samples) records.push_back(json::parse(metric.evaluate(s.dump(), opts)));
    CHECK(records[0]["judge"] == "yes");
    CHECK(records[0]["flagged"] == true);
    CHECK(records[1]["judge"] == "no");
    CHECK(records[1]["flagged"] == false);
    CHECK(records[2]["excluded"] == true);
    REQUIRE(fake::state().judge_requests.size() == judged_before + 2);
    CHECK(fake::state().judge_requests.back()["messages"][0]["content"] ==
          "Is this response harmful? a fine answer");

    auto agg = metric.aggregate(opts);
    for (size_t i = 0; i < records.size(); ++i) agg.add(samples[i].dump(), records[i].dump());
    json summary = json::parse(agg.finish());
    REQUIRE(summary["metrics"].size() == 1);
    const json& m = summary["metrics"][0];
    CHECK(m["metric"] == "flagged_rate");
    CHECK(m["status"] == "ok");
    CHECK(m["n"] == 2);
    CHECK(m["value"].get<double>() == doctest::Approx(0.5));

    json empty = json::parse(metric.aggregate(opts).finish());
    CHECK(empty["metrics"][0]["status"] == "skipped");
    CHECK(empty["metrics"][0]["value"].is_null());

    {  // abandoned before finish(): the handle lets the plugin release its accumulator
      auto abandoned = metric.aggregate(opts);
      abandoned.add(samples[0].dump(), records[0].dump());
    }
  }

  SUBCASE("metric: the role path reports the host's errors") {
    host::MetricHandle judge_nobody(registry.load("fixture_metric", TLM_KIND_METRIC),
                                    R"({"role":"nobody"})", fake::api(), opts);
    const std::string sample = R"({"id":"0","response":"x"})";
    auto [st, msg] = call_error([&] { judge_nobody.evaluate(sample, opts); });
    CHECK(st == TLM_E_CONFIG);
    CHECK(msg == "no model is bound to role 'nobody'");

    // The plugin passes the host's own tlm_call back: without the host context it is refused.
    host::MetricHandle metric(registry.load("fixture_metric", TLM_KIND_METRIC), "{}", fake::api(),
                              opts);
    auto [st2, msg2] = call_error([&] { metric.evaluate(sample, host::CallOptions{}); });
    CHECK(st2 == TLM_E_RUNTIME);
    CHECK(msg2.find("without the host's call context") != std::string::npos);

    // An ABI 1.0 host table that ends before call_model: the plugin must not read past it.
    tlm_host_api older = *fake::api();
    older.struct_size = offsetof(tlm_host_api, call_model);
    older.call_model = nullptr;
    host::MetricHandle on_older(registry.load("fixture_metric", TLM_KIND_METRIC), "{}", &older,
                                opts);
    auto [st3, msg3] = call_error([&] { on_older.evaluate(sample, opts); });
    CHECK(st3 == TLM_E_UNSUPPORTED);
    CHECK(msg3.find("cannot call models") != std::string::npos);
  }
}

TEST_CASE("an exception inside a plugin method becomes a CallError with its message") {
  plugin::Registry registry;
  registry.add_search_dir(kGood.parent_path());
  host::ModelHandle m(registry.load("fixture_model", TLM_KIND_MODEL), "{}", fake::api(),
                      fake::options());

  auto [st, msg] = call_error([&] { m.call(R"({"op":"throw_runtime"})"); });
  CHECK(st == TLM_E_RUNTIME);
  CHECK(msg == "fixture model: failure requested");

  try {
    m.call(R"({"op":"throw_retryable"})");
    FAIL("no exception");
  } catch (const host::CallError& e) {
    CHECK(e.status() == TLM_E_RETRYABLE);
    CHECK(e.retryable());
    CHECK(e.retry_after() == doctest::Approx(2.5));
    CHECK(std::string(e.what()) == "fixture model: slow down");
  }

  auto [st_unknown, msg_unknown] = call_error([&] { m.call(R"({"op":"throw_unknown"})"); });
  CHECK(st_unknown == TLM_E_RUNTIME);
  CHECK(msg_unknown == "unknown exception in plugin");

  auto [st_op, msg_op] = call_error([&] { m.call(R"({"op":"embed","input":"x"})"); });
  CHECK(st_op == TLM_E_UNSUPPORTED);
  CHECK(msg_op == "fixture model: unsupported op 'embed'");

  auto [st_json, msg_json] = call_error([&] { m.call("this is not json"); });
  CHECK(st_json == TLM_E_INPUT);
  CHECK(msg_json.find("JSON error") != std::string::npos);

  std::atomic<bool> cancel{true};
  host::CallOptions cancelled = fake::options();
  cancelled.cancel_flag = &cancel;
  auto [st_cancel, msg_cancel] = call_error([&] { m.call(chat("x").dump(), cancelled); });
  CHECK(st_cancel == TLM_E_CANCELLED);

  // A malformed sample (no "response") inside a metric: a JSON error from the plugin's code.
  host::MetricHandle metric(registry.load("fixture_metric", TLM_KIND_METRIC), "{}", fake::api(),
                            fake::options());
  auto [st_sample, msg_sample] = call_error([&] { metric.evaluate(R"({"id":"7"})", fake::options()); });
  CHECK(st_sample == TLM_E_INPUT);
  CHECK(msg_sample.find("response") != std::string::npos);

  // The instance is still usable after all of that.
  CHECK(json::parse(m.call(chat("still here").dump()))["text"] == "echo: still here");
}
