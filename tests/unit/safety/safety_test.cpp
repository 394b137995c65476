// Unit tests of the TrustLLM safety pieces: the shared data reader (NaN literals, sha256,
// MANIFEST.tsv), the trustllm_safety dataset on the real files, the replay model, the built
// plugins through the C ABI, and parity of jailbreak / misuse / exaggerated_safety RtA with the
// toolkit's values in ../shared/parity/expected.json.
//
// Real data: TRUSTLLM_DATA_DIR (default ../shared/trustllm-data), TRUSTLLM_PARITY_DIR (default
// ../shared/parity). Tests that need them say so and skip when they are absent.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "refusal_rate.hpp"
#include "replay_model.hpp"
#include "safety_dataset.hpp"
#include "trustllm_common/checksum.hpp"
#include "trustllm_common/json_file.hpp"

namespace fs = std::filesystem;
namespace sdk = trustllm::sdk;
namespace data = trustllm::data;
using json = nlohmann::json;
using trustllm::safety::SafetyDataset;

namespace {

fs::path env_dir(const char* var, const char* fallback) {
  const char* v = std::getenv(var);
  return fs::path(v && *v ? v : fallback);
}
fs::path data_dir() { return env_dir("TRUSTLLM_DATA_DIR", TRUSTLLM_DEFAULT_DATA_DIR); }
fs::path parity_dir() { return env_dir("TRUSTLLM_PARITY_DIR", TRUSTLLM_DEFAULT_PARITY_DIR); }

bool have_data() {
  if (fs::exists(data_dir() / "safety" / "jailbreak.json")) return true;
  MESSAGE("skipped: no TrustLLM data at " << data_dir() << " (set TRUSTLLM_DATA_DIR)");
  return false;
}
bool have_parity() {
  if (fs::exists(parity_dir() / "expected.json")) return true;
  MESSAGE("skipped: no parity fixtures at " << parity_dir() << " (set TRUSTLLM_PARITY_DIR)");
  return false;
}

// A temporary folder removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("trustllm-safety-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  static std::atomic<int>& counter() {
    static std::atomic<int> c{0};
    return c;
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel, std::ios::binary) << text;
  }
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

sdk::Host no_host() { return sdk::Host(nullptr, "test"); }

template <class F>
sdk::Error catch_error(F&& f) {
  try {
    f();
  } catch (const sdk::Error& e) {
    return e;
  }
  FAIL("expected sdk::Error");
  return sdk::Error(TLM_OK, "");
}

}  // namespace

// ---- shared reader ----------------------------------------------------------------------

TEST_CASE("lenient reader: NaN / Infinity / -Infinity outside strings") {
  const std::string text =
      R"([{"a": NaN, "b": "NaN and Infinity stay text", "c": [Infinity, -Infinity, null, -1.5],)"
      R"( "d": "quote \" NaN", "e": {"n": null, "x": NaN}, "NaN": 1}])";
  json j = data::parse_lenient(text, "literal");
  CHECK(j[0]["a"].is_null());
  CHECK(j[0]["b"] == "NaN and Infinity stay text");
  CHECK(j[0]["c"] == json::parse("[null, null, null, -1.5]"));
  CHECK(j[0]["d"] == "quote \" NaN");
  CHECK(j[0]["e"]["x"].is_null());
  CHECK(j[0]["NaN"] == 1);

  json k = data::parse_lenient(text, "literal", data::NonFinite::keep);
  REQUIRE(k[0]["a"].is_number_float());
  CHECK(std::isnan(k[0]["a"].get<double>()));
  CHECK(k[0]["c"][0].get<double>() == INFINITY);
  CHECK(k[0]["c"][1].get<double>() == -INFINITY);
  CHECK(k[0]["c"][2].is_null());  // a real null stays null
  CHECK(k[0]["c"][3] == -1.5);
  CHECK(k[0]["e"]["n"].is_null());
  CHECK(std::isnan(k[0]["e"]["x"].get<double>()));
  CHECK(k[0]["b"] == "NaN and Infinity stay text");

  // Strict JSON is unchanged; malformed input is a one-line TLM_E_INPUT naming the source.
  CHECK(data::parse_lenient(R"({"x": [1, "y"]})", "s") == json::parse(R"({"x": [1, "y"]})"));
  sdk::Error e = catch_error([] { data::parse_lenient("[NaNa]", "bad.json"); });
  CHECK(e.status() == TLM_E_INPUT);
  CHECK(std::string(e.what()).rfind("bad.json: not valid JSON", 0) == 0);
}

TEST_CASE("read_json_array: file errors") {
  TempDir t;
  t.write("obj.json", R"({"a": 1})");
  t.write("arr.json", R"([1, NaN])");
  CHECK(data::read_json_array(t.path / "arr.json") == json::parse("[1, null]"));
  sdk::Error e = catch_error([&] { data::read_json_array(t.path / "obj.json"); });
  CHECK(e.status() == TLM_E_INPUT);
  e = catch_error([&] { data::read_json_array(t.path / "missing.json", {data::NonFinite::to_null, "hint"}); });
  CHECK(e.status() == TLM_E_NOT_FOUND);
  CHECK(std::string(e.what()) == (t.path / "missing.json").string() + ": file not found \u2014 hint");
}

TEST_CASE("lenient reader on the real Social-Chemistry file (bare NaN items 35, 179, 406)") {
  if (!have_data()) return;
  json items = data::read_json_array(data_dir() / "ethics" / "implicit_SocialChemistry101.json");
  CHECK(items.size() == 500);
  int nulls = 0;
  for (size_t i : {35u, 179u, 406u}) {
    for (auto& [k, v] : items[i].items()) nulls += v.is_null() ? 1 : 0;
  }
  CHECK(nulls >= 3);
  // The strict parser agrees with the lenient one on files without NaN.
  const std::string bytes = read_text(data_dir() / "safety" / "misuse.json");
  CHECK(data::parse_lenient(bytes, "misuse") == json::parse(bytes));
}

TEST_CASE("sha256") {
  CHECK(data::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(data::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  TempDir t;
  std::string big(200000, 'z');
  t.write("f.bin", big);
  CHECK(data::sha256_file(t.path / "f.bin") == data::sha256_hex(big));
  CHECK(catch_error([&] { data::sha256_file(t.path / "nope"); }).status() == TLM_E_NOT_FOUND);
}

// ---- the dataset on the real files --------------------------------------------------------

TEST_CASE("trustllm_safety: item counts, strata and item format on the real files") {
  if (!have_data()) return;
  struct Expect {
    const char* task;
    size_t items;
    std::map<std::string, size_t> strata;
  };
  std::map<std::string, size_t> jb, mu, ex;
  for (const char* l : {"fixed sentence", "no_punctuation", "programming", "cou",
                        "Refusal sentence prohibition", "cot", "scenario", "multitask",
                        "no_long_word", "url_encode", "without_the", "json_format", "leetspeak",
                        "bad words"}) {
    jb[l] = 100;
  }
  for (const char* t : {"Illegal Activity", "Hate Speech", "Malware", "Physical Harm",
                        "Economic Harm", "Fraud", "Pornography", "Political Lobbying",
                        "Privacy Violence", "Legal Opinion", "Financial Advice",
                        "Health Consultation", "Gov Decision"}) {
    mu[t] = 30;
  }
  mu["do_not_answer"] = 343;
  mu["misuse_add"] = 441;
  for (const char* t : {"homonyms", "figurative_language", "safe_targets", "safe_contexts",
                        "definitions", "nons_group_real_discr", "real_group_nons_discr",
                        "historical_events", "privacy_public", "privacy_fictional"}) {
    ex[t] = 20;
  }
  for (const Expect& e : {Expect{"jailbreak", 1400, jb}, Expect{"misuse", 1174, mu},
                          Expect{"exaggerated_safety", 200, ex}}) {
    CAPTURE(e.task);
    SafetyDataset ds(json{{"task", e.task}, {"data_dir", data_dir().string()}}, no_host());
    sdk::Host h;
    sdk::Call call(h, nullptr);
    CHECK(ds.count(call) == e.items);
    CHECK(ds.file().verified);  // the data folder has MANIFEST.tsv
    std::map<std::string, size_t> strata;
    std::vector<json> items;
    ds.read(0, 1u << 20, [&](const json& it) { items.push_back(it); }, call);
    REQUIRE(items.size() == e.items);
    const json raw = json::parse(read_text(data_dir() / SafetyDataset::file_of(e.task)));
    for (size_t i = 0; i < items.size(); ++i) {
      const json& it = items[i];
      ++strata[it.at("stratum").get<std::string>()];
      if (i % 97 == 0 || i + 1 == items.size()) {
        CHECK(it["id"] == std::to_string(i));
        CHECK(it["prompt"] == raw[i]["prompt"]);
        CHECK(it["fields"] == raw[i]);  // the whole original item, unchanged
        CHECK(it["generation"] == json{{"temperature", 1.0}, {"max_tokens", 512}});
        CHECK(it["source"] == json{{"file", SafetyDataset::file_of(e.task)}, {"index", i}});
      }
    }
    CHECK(strata == e.strata);

    json info = ds.info(call);
    CHECK(info["task"] == e.task);
    CHECK(info["dimension"] == "safety");
    CHECK(info["items"] == e.items);
    REQUIRE(info["files"].size() == 1);
    CHECK(fs::path(info["files"][0]["path"].get<std::string>()).is_absolute());
    CHECK(info["files"][0]["sha256"].get<std::string>().size() == 64);

    // read() windows are clamped.
    std::vector<json> window;
    ds.read(e.items - 2, 10, [&](const json& it) { window.push_back(it); }, call);
    REQUIRE(window.size() == 2);
    CHECK(window[0]["id"] == std::to_string(e.items - 2));
    window.clear();
    ds.read(e.items, 10, [&](const json& it) { window.push_back(it); }, call);
    CHECK(window.empty());
  }
  // The jailbreak first item, spot-checked.
  SafetyDataset jb_ds(json{{"task", "jailbreak"}, {"data_dir", data_dir().string()}, {"max_tokens", 64}},
                      no_host());
  CHECK(jb_ds.item(0)["stratum"] == "fixed sentence");
  CHECK(jb_ds.item(0)["generation"]["max_tokens"] == 64);
}

TEST_CASE("trustllm_safety: checksum verification against MANIFEST.tsv") {
  if (!have_data()) return;
  TempDir t;
  fs::create_directories(t.path / "safety");
  fs::copy_file(data_dir() / "MANIFEST.tsv", t.path / "MANIFEST.tsv");
  std::string bytes = read_text(data_dir() / "safety" / "exaggerated_safety.json");
  const std::string good_sha = data::sha256_hex(bytes);
  // Tamper one character inside a prompt: still valid JSON, different hash.
  size_t pos = bytes.find("kill");
  REQUIRE(pos != std::string::npos);
  bytes[pos] = 'K';
  t.write("safety/exaggerated_safety.json", bytes);
  const std::string bad_sha = data::sha256_hex(bytes);

  const json cfg{{"task", "exaggerated_safety"}, {"data_dir", t.path.string()}};
  sdk::Error e = catch_error([&] { SafetyDataset ds(cfg, no_host()); });
  CHECK(e.status() == TLM_E_INPUT);
  const std::string msg = e.what();
  MESSAGE("tampered file: " << msg);
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find("exaggerated_safety.json") != std::string::npos);
  CHECK(msg.find(good_sha) != std::string::npos);
  CHECK(msg.find(bad_sha) != std::string::npos);
  CHECK(msg.find("verify_checksum: false") != std::string::npos);

  // Opting out loads the modified file; without a manifest nothing is verified.
  json off = cfg;
  off["verify_checksum"] = false;
  SafetyDataset ds_off(off, no_host());
  CHECK(ds_off.file().sha256 == bad_sha);
  CHECK_FALSE(ds_off.file().verified);
  fs::remove(t.path / "MANIFEST.tsv");
  SafetyDataset ds_nomanifest(cfg, no_host());
  CHECK_FALSE(ds_nomanifest.file().verified);
  sdk::Host h;
  sdk::Call call(h, nullptr);
  CHECK(ds_nomanifest.count(call) == 200);

  // A manifest that does not list the file is an error too.
  t.write("MANIFEST.tsv", "path\tbytes\titems\tsha256\nsafety/other.json\t1\t1\t" + good_sha + "\n");
  e = catch_error([&] { SafetyDataset ds(cfg, no_host()); });
  CHECK(std::string(e.what()).find("not listed") != std::string::npos);
}

TEST_CASE("trustllm_safety: missing file and config errors") {
  TempDir t;
  sdk::Error e = catch_error([&] {
    SafetyDataset ds(json{{"task", "misuse"}, {"data_dir", t.path.string()}}, no_host());
  });
  CHECK(e.status() == TLM_E_NOT_FOUND);
  CHECK(std::string(e.what()) == (t.path / "safety" / "misuse.json").string() +
                                     ": file not found \u2014 set TRUSTLLM_DATA_DIR or data_dir");
  auto config_err = [&](const json& cfg) {
    sdk::Error err = catch_error([&] { SafetyDataset ds(cfg, no_host()); });
    CHECK(err.status() == TLM_E_CONFIG);
    return std::string(err.what());
  };
  CHECK(config_err({{"task", "no_such_task"}, {"data_dir", "x"}}).rfind("/task:", 0) == 0);
  CHECK(config_err({{"task", "misuse"}}).rfind("/data_dir:", 0) == 0);
  CHECK(config_err({{"task", "misuse"}, {"data_dir", "x"}, {"extra", 1}}).rfind("/extra:", 0) == 0);
  CHECK(config_err({{"task", "misuse"}, {"data_dir", "x"}, {"max_tokens", 0}}).rfind("/max_tokens:", 0) == 0);

  // A malformed item is named.
  t.write("safety/jailbreak.json", R"([{"prompt": "p", "label": ["cot"]}, {"prompt": "q", "label": []}])");
  e = catch_error([&] { SafetyDataset ds(json{{"task", "jailbreak"}, {"data_dir", t.path.string()}}, no_host()); });
  CHECK(e.status() == TLM_E_INPUT);
  CHECK(std::string(e.what()).find("item 1") != std::string::npos);
}

// ---- replay model -----------------------------------------------------------------------

namespace {
json request_for(const std::string& file, uint64_t index) {
  return json{{"op", "chat"},
              {"messages", json::array({{{"role", "user"}, {"content", "ignored"}}})},
              {"temperature", 1.0},
              {"max_tokens", 512},
              {"context", {{"task", "jailbreak"}, {"item_id", std::to_string(index)},
                           {"source", {{"file", file}, {"index", index}}}}}};
}
}  // namespace

TEST_CASE("replay: answers, nulls, errors, one parse per file under concurrency") {
  TempDir t;
  t.write("safety/jailbreak.json",
          R"([{"prompt": "a", "res": "first"}, {"prompt": "b", "res": null, "score": NaN},)"
          R"( {"prompt": "c"}, {"prompt": "d", "res": 5}, {"prompt": "e", "res": ""}])");
  trustllm::replay::ReplayModel m(json{{"dir", t.path.string()}}, no_host());
  sdk::Host h;
  sdk::Call call(h, nullptr);
  json id = m.identity(call);
  CHECK(id["backend"] == "replay");
  CHECK(id["model"] == "replay:" + fs::absolute(t.path).lexically_normal().string());
  CHECK(id["endpoint"] == "file://" + fs::absolute(t.path).lexically_normal().string());
  CHECK(id["cacheable"] == false);

  CHECK(m.call(request_for("safety/jailbreak.json", 0), call) ==
        json{{"text", "first"}, {"finish_reason", "stop"}});
  CHECK(m.answer(request_for("safety/jailbreak.json", 1)) ==
        json{{"text", nullptr}, {"finish_reason", "error"}});
  CHECK(m.answer(request_for("safety/jailbreak.json", 2))["text"].is_null());
  CHECK(m.answer(request_for("safety/jailbreak.json", 4))["text"] == "");
  CHECK(catch_error([&] { m.answer(request_for("safety/jailbreak.json", 3)); }).status() == TLM_E_INPUT);
  CHECK(catch_error([&] { m.answer(request_for("safety/jailbreak.json", 9)); }).status() == TLM_E_INPUT);
  CHECK(catch_error([&] { m.answer(request_for("safety/misuse.json", 0)); }).status() == TLM_E_NOT_FOUND);
  CHECK(catch_error([&] { m.answer(request_for("../x.json", 0)); }).status() == TLM_E_INPUT);
  CHECK(catch_error([&] { m.answer(json{{"op", "chat"}}); }).status() == TLM_E_INPUT);
  CHECK(catch_error([&] { m.answer(json{{"op", "embed"}}); }).status() == TLM_E_UNSUPPORTED);

  // Another field; many threads on a fresh model parse the file once.
  t.write("safety/misuse.json", R"([{"res": "r0", "alt": "a0"}, {"res": "r1", "alt": "a1"}])");
  trustllm::replay::ReplayModel alt(json{{"dir", t.path.string()}, {"field", "alt"}}, no_host());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 50; ++i) {
        uint64_t idx = static_cast<uint64_t>((k + i) % 2);
        if (alt.answer(request_for("safety/misuse.json", idx))["text"] == "a" + std::to_string(idx)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 400);
  CHECK(alt.files_loaded() == 1);

  sdk::Error e = catch_error([&] { trustllm::replay::ReplayModel x(json{{"dir", (t.path / "nope").string()}}, no_host()); });
  CHECK(e.status() == TLM_E_NOT_FOUND);
  CHECK(catch_error([&] { trustllm::replay::ReplayModel x(json::object(), no_host()); }).status() == TLM_E_CONFIG);
}

// ---- the built plugins through the C ABI --------------------------------------------------

namespace {
std::string g_error;
void t_set_error(tlm_call*, tlm_str m) { g_error.assign(m.data, m.size); }

const tlm_component_desc* load_component(const char* path) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(lib != nullptr, dlerror());
  auto entry = reinterpret_cast<tlm_entry_fn>(dlsym(lib, TLM_ENTRY_SYMBOL));
  REQUIRE(static_cast<bool>(entry));
  const tlm_plugin_info* info = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR);
  REQUIRE(info->component_count == 1);
  return info->components[0];
}
}  // namespace

TEST_CASE("trustllm_safety.so and replay.so through the C ABI") {
  tlm_host_api api{};
  api.struct_size = sizeof(api);
  api.abi_major = TLM_ABI_MAJOR;
  api.abi_minor = TLM_ABI_MINOR;
  api.set_error = t_set_error;
  std::string out;
  tlm_sink sink{&out, [](void* c, tlm_str s) { static_cast<std::string*>(c)->append(s.data, s.size); }};
  auto str = [](const std::string& s) { return tlm_str{s.data(), s.size()}; };

  const tlm_component_desc* ds = load_component(SAFETY_PLUGIN_PATH);
  CHECK(std::string(ds->name) == "trustllm_safety");
  CHECK(ds->kind == TLM_KIND_DATASET);
  json schema = json::parse(ds->config_schema_json);
  CHECK(schema["required"] == json::array({"task", "data_dir"}));
  CHECK(schema["additionalProperties"] == false);
  for (auto& [k, v] : schema["properties"].items()) CHECK_MESSAGE(v.contains("description"), k);
  const auto* dvt = static_cast<const tlm_dataset_vt*>(ds->vtable);

  TempDir t;
  void* self = nullptr;
  std::string cfg = json{{"task", "jailbreak"}, {"data_dir", t.path.string()}}.dump();
  CHECK(dvt->create(str(cfg), &api, &self, nullptr) == TLM_E_NOT_FOUND);
  CHECK(g_error.find("file not found") != std::string::npos);

  t.write("safety/jailbreak.json", R"([{"prompt": "p0", "label": ["cot"], "source": "ITC", "res": "I cannot help with that."},)"
                                   R"( {"prompt": "p1", "label": ["cot"], "source": "QBB", "res": null}])");
  REQUIRE(dvt->create(str(cfg), &api, &self, nullptr) == TLM_OK);
  uint64_t n = 0;
  REQUIRE(dvt->count(self, &n, nullptr) == TLM_OK);
  CHECK(n == 2);
  out.clear();
  REQUIRE(dvt->read(self, 1, 5, &sink, nullptr) == TLM_OK);
  json item = json::parse(out);
  CHECK(item["id"] == "1");
  CHECK(item["stratum"] == "cot");
  dvt->destroy(self);

  const tlm_component_desc* md = load_component(REPLAY_PLUGIN_PATH);
  CHECK(std::string(md->name) == "replay");
  CHECK(md->kind == TLM_KIND_MODEL);
  CHECK(md->capabilities == (TLM_CAP_CONCURRENT_CALLS | TLM_CAP_CHAT));
  const auto* mvt = static_cast<const tlm_model_vt*>(md->vtable);
  std::string mcfg = json{{"dir", t.path.string()}}.dump();
  REQUIRE(mvt->create(str(mcfg), &api, &self, nullptr) == TLM_OK);
  out.clear();
  std::string req = request_for("safety/jailbreak.json", 0).dump();
  REQUIRE(mvt->call(self, str(req), &sink, nullptr) == TLM_OK);
  CHECK(json::parse(out)["text"] == "I cannot help with that.");
  out.clear();
  req = request_for("safety/misuse.json", 0).dump();
  CHECK(mvt->call(self, str(req), &sink, nullptr) == TLM_E_NOT_FOUND);
  mvt->destroy(self);
}

// ---- parity with the toolkit ---------------------------------------------------------------

namespace {

// A host whose call_model must never be reached: recorded eval_res replaces every call.
std::atomic<int> g_model_calls{0};
tlm_status t_no_model(tlm_call*, tlm_str, tlm_str, tlm_sink*) {
  ++g_model_calls;
  return TLM_E_UNSUPPORTED;
}

// dataset (the parity tree as data_dir) -> replay (res) -> refusal_rate evaluate -> accumulate.
json run_pipeline(const std::string& task, const json& metric_cfg) {
  tlm_host_api api{};
  api.struct_size = sizeof(api);
  api.abi_major = TLM_ABI_MAJOR;
  api.abi_minor = TLM_ABI_MINOR;
  api.call_model = t_no_model;
  sdk::Host host(&api, "parity");
  sdk::Call call(host, nullptr);

  SafetyDataset ds(json{{"task", task}, {"data_dir", parity_dir().string()}}, host);
  CHECK_FALSE(ds.file().verified);  // result trees carry no manifest
  trustllm::replay::ReplayModel model(json{{"dir", parity_dir().string()}}, host);
  trustllm::refusal::RefusalRate metric(metric_cfg, host);
  auto acc = metric.begin(call);
  ds.read(0, ds.count(call), [&](const json& item) {
    json req{{"op", "chat"},
             {"messages", json::array({{{"role", "user"}, {"content", item["prompt"]}}})},
             {"temperature", item["generation"]["temperature"]},
             {"max_tokens", item["generation"]["max_tokens"]},
             {"context", {{"task", task}, {"item_id", item["id"]}, {"source", item["source"]}}}};
    json resp = model.call(req, call);
    json sample{{"task", task},
                {"id", item["id"]},
                {"prompt", item["prompt"]},
                {"response", resp["text"]},
                {"response_meta", {{"finish_reason", resp["finish_reason"]}, {"refused_by_provider", false}}},
                {"fields", item["fields"]}};
    CHECK(sample["response"] == item["fields"].value("res", json(nullptr)));
    json record = metric.evaluate(sample, call);
    acc->add(sample, record, call);
  }, call);
  return acc->finish(call);
}

std::map<std::string, double> expected_for(const std::string& task) {
  json all = json::parse(read_text(parity_dir() / "expected.json"));
  std::map<std::string, double> out;
  for (const json& e : all) {
    if (e["task"] == task) out[e["metric"].get<std::string>()] = e["value"].get<double>();
  }
  return out;
}

void check_parity(const std::string& task, const json& summary, bool all_groups) {
  std::map<std::string, double> expected = expected_for(task);
  REQUIRE(!expected.empty());
  std::set<std::string> seen;
  for (const json& m : summary["metrics"]) {
    const std::string id = m["metric"];
    CAPTURE(task);
    CAPTURE(id);
    CHECK(m["status"] == "ok");
    auto it = expected.find(id);
    if (it == expected.end()) {
      CHECK_MESSAGE(false, "metric not in expected.json: " << id);
      continue;
    }
    seen.insert(id);
    const double ours = m["value"].get<double>();
    CHECK_MESSAGE(std::fabs(ours - it->second) <= 1e-9,
                  task << "." << id << ": ours " << ours << ", toolkit " << it->second);
  }
  if (all_groups) CHECK(seen.size() == expected.size());
  MESSAGE(task << ": " << seen.size() << " values match expected.json");
}

}  // namespace

TEST_CASE("parity: jailbreak rta and rta:<label>, misuse rta, exaggerated_safety rta") {
  if (!have_parity()) return;
  g_model_calls = 0;
  // The evaluator is "classifier": every scored parity item carries eval_res, so no classifier
  // is needed; a call would fail the run.
  json jb = run_pipeline("jailbreak", json{{"evaluator", "classifier"}, {"group_by", "/label/0"}});
  check_parity("jailbreak", jb, true);
  CHECK(jb["metrics"].size() == 15);
  CHECK(jb["metrics"][0]["n"] == 1397);
  CHECK(jb["metrics"][0]["excluded"] == 3);

  json mu = run_pipeline("misuse", json{{"evaluator", "classifier"}});
  check_parity("misuse", mu, true);

  // The project reports exaggerated_safety.rta = the refusal rate, lower is better (trap 1).
  json ex = run_pipeline("exaggerated_safety",
                         json{{"evaluator", "classifier"}, {"direction", "lower_is_better"}});
  check_parity("exaggerated_safety", ex, true);
  CHECK(ex["metrics"][0]["direction"] == "lower_is_better");
  CHECK(g_model_calls == 0);
}
