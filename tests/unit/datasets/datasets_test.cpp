// Unit tests of the six TrustLLM dataset plugins (trustllm_truthfulness, _safety, _fairness,
// _robustness, _privacy, _ethics), all TableDatasets: item counts per task on the real files
// (spec §2.2), ids = indices in the file under filters, temperatures (spec §3), strata, the
// legacy variants, the NaN file, an imported parity tree as data_dir, config errors, and the
// built plugins through the C ABI.
//
// Real data: TRUSTLLM_DATA_DIR (default ../shared/trustllm-data), TRUSTLLM_PARITY_DIR (default
// ../shared/parity). Tests that need them say so and skip when they are absent.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "ethics_dataset.hpp"
#include "fairness_dataset.hpp"
#include "privacy_dataset.hpp"
#include "robustness_dataset.hpp"
#include "safety_dataset.hpp"
#include "trustllm_common/json_file.hpp"
#include "truthfulness_dataset.hpp"

namespace fs = std::filesystem;
namespace sdk = trustllm::sdk;
namespace data = trustllm::data;
using json = nlohmann::json;
using Counts = std::map<std::string, size_t>;

namespace {

fs::path env_dir(const char* var, const char* fallback) {
  const char* v = std::getenv(var);
  return fs::path(v && *v ? v : fallback);
}
fs::path data_dir() {
  return env_dir("TRUSTLLM_DATA_DIR", TRUSTLLM_DEFAULT_DATA_DIR);
}
fs::path parity_dir() {
  return env_dir("TRUSTLLM_PARITY_DIR", TRUSTLLM_DEFAULT_PARITY_DIR);
}

bool have_data() {
  if (fs::exists(data_dir() / "MANIFEST.tsv")) return true;
  MESSAGE("skipped: no TrustLLM data at " << data_dir() << " (set TRUSTLLM_DATA_DIR)");
  return false;
}
bool have_parity() {
  if (fs::exists(parity_dir() / "safety" / "jailbreak.json")) return true;
  MESSAGE("skipped: no parity fixtures at " << parity_dir() << " (set TRUSTLLM_PARITY_DIR)");
  return false;
}

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("trustllm-datasets-test-" + std::to_string(::getpid()) +
                                        "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel, std::ios::binary) << text;
  }
};

sdk::Host no_host() {
  return sdk::Host(nullptr, "test");
}

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

// The dataset of `plugin` ("truthfulness", ..., "ethics") for `config`.
std::unique_ptr<data::TableDataset> make(const std::string& plugin, const json& config) {
  if (plugin == "truthfulness")
    return std::make_unique<trustllm::truthfulness::TruthfulnessDataset>(config, no_host());
  if (plugin == "safety")
    return std::make_unique<trustllm::safety::SafetyDataset>(config, no_host());
  if (plugin == "fairness")
    return std::make_unique<trustllm::fairness::FairnessDataset>(config, no_host());
  if (plugin == "robustness")
    return std::make_unique<trustllm::robustness::RobustnessDataset>(config, no_host());
  if (plugin == "privacy")
    return std::make_unique<trustllm::privacy::PrivacyDataset>(config, no_host());
  if (plugin == "ethics")
    return std::make_unique<trustllm::ethics::EthicsDataset>(config, no_host());
  FAIL("unknown plugin " << plugin);
  return nullptr;
}

std::vector<json> read_all(data::TableDataset& ds) {
  sdk::Host h;
  sdk::Call call(h, nullptr);
  std::vector<json> items;
  ds.read(
      0, 1u << 20, [&](const json& it) { items.push_back(it); }, call);
  return items;
}

// Spec §2.2 / §3: every task with its file, item count, temperature and strata counts.
struct Expect {
  const char* plugin;
  const char* task;
  const char* file;
  size_t items;
  double temperature;
  Counts strata;  // empty: not checked beyond "non-empty"
};

Counts each(std::initializer_list<const char*> names, size_t n) {
  Counts c;
  for (const char* s : names) c[s] = n;
  return c;
}

std::vector<Expect> expectations() {
  return {
      {"truthfulness", "misinformation_internal", "truthfulness/internal.json", 400, 1.0,
       each({"squad", "codah", "hotpot", "adversarial"}, 100)},
      {"truthfulness", "misinformation_external", "truthfulness/external.json", 400, 0.0,
       each({"climate", "scifact", "covid", "healthver"}, 100)},
      {"truthfulness",
       "hallucination",
       "truthfulness/hallucination.json",
       652,
       0.0,
       {{"mc", 352}, {"halu_qa", 100}, {"halu_dial", 100}, {"halu_summ", 100}}},
      {"truthfulness",
       "sycophancy_persona",
       "truthfulness/sycophancy.json",
       179,
       1.0,
       {{"persona", 179}}},
      {"truthfulness",
       "sycophancy_preference",
       "truthfulness/sycophancy.json",
       240,
       1.0,
       {{"preference", 240}}},
      {"truthfulness",
       "adv_factuality",
       "truthfulness/golden_advfactuality.json",
       209,
       1.0,
       {{"all", 209}}},
      {"safety", "jailbreak", "safety/jailbreak.json", 1400, 1.0, {}},
      {"safety", "misuse", "safety/misuse.json", 1174, 1.0, {}},
      {"safety", "exaggerated_safety", "safety/exaggerated_safety.json", 200, 1.0, {}},
      {"safety", "toxicity", "safety/jailbreak.json", 1400, 1.0, {}},
      {"fairness",
       "stereotype_recognition",
       "fairness/stereotype_recognition.json",
       1000,
       0.0,
       {{"unrelated", 346}, {"stereotype", 328}, {"anti-stereotype", 326}}},
      {"fairness",
       "stereotype_agreement",
       "fairness/stereotype_agreement.json",
       1000,
       1.0,
       {{"race-color", 341},
        {"gender", 173},
        {"socioeconomic", 118},
        {"nationality", 107},
        {"age", 63},
        {"religion", 61},
        {"sexual-orientation", 55},
        {"physical-appearance", 46},
        {"disability", 36}}},
      {"fairness",
       "stereotype_query",
       "fairness/stereotype_query_test.json",
       95,
       1.0,
       {{"all", 95}}},
      {"fairness", "disparagement", "fairness/disparagement.json", 810, 1.0,
       each({"female/black", "female/white", "female/asian", "male/black", "male/white",
             "male/asian"},
            135)},
      {"fairness",
       "preference",
       "fairness/preference.json",
       240,
       1.0,
       {{"plain", 120}, {"force", 120}}},
      {"robustness",
       "advglue",
       "robustness/AdvGLUE.json",
       912,
       0.0,
       {{"qqp", 142}, {"sst2", 262}, {"qnli", 266}, {"mnli", 242}}},
      {"robustness", "advinstruction", "robustness/AdvInstruction.json", 600, 1.0, {}},
      {"robustness", "ood_detection", "robustness/ood_detection.json", 241, 1.0, {{"all", 241}}},
      {"robustness",
       "ood_generalization",
       "robustness/ood_generalization.json",
       500,
       0.0,
       {{"ddxplus", 100}, {"flipkart", 400}}},
      {"privacy",
       "privacy_awareness_confaide",
       "privacy/privacy_awareness_confAIde.json",
       196,
       0.0,
       {{"all", 196}}},
      {"privacy",
       "privacy_awareness_query",
       "privacy/privacy_awareness_query.json",
       560,
       1.0,
       {{"normal", 280}, {"aug", 280}}},
      {"privacy", "privacy_leakage", "privacy/privacy_leakage.json", 400, 1.0,
       each({"zero-shot/A", "zero-shot/B", "zero-shot/C", "zero-shot/D", "five-shot/A",
             "five-shot/B", "five-shot/C", "five-shot/D"},
            50)},
      {"ethics",
       "implicit_ethics",
       "ethics/implicit_ETHICS.json",
       500,
       0.0,
       {{"commonsense/wrong", 108},
        {"commonsense/not wrong", 142},
        {"justice/wrong", 139},
        {"justice/not wrong", 111}}},
      {"ethics", "implicit_social_chemistry", "ethics/implicit_SocialChemistry101.json", 500, 0.0,
       each({"-2.0", "-1.0", "0.0", "1.0", "2.0"}, 100)},
      {"ethics",
       "explicit_moralchoice",
       "ethics/explicit_moralchoice.json",
       1367,
       1.0,
       {{"low", 687}, {"high", 680}}},
      {"ethics",
       "emotional_awareness",
       "ethics/awareness.json",
       200,
       0.0,
       {{"1", 58}, {"2", 77}, {"3", 43}, {"4", 22}}},
      {"ethics",
       "awareness",
       "ethics/awareness.json",
       2466,
       0.0,
       {{"mission", 966}, {"perspective", 900}, {"capability", 600}}},
  };
}

// Indices of the raw items that a filtered task keeps (computed here, independently).
std::vector<size_t> kept_indices(const std::string& task, const json& raw) {
  std::vector<size_t> out;
  for (size_t i = 0; i < raw.size(); ++i) {
    const json& it = raw[i];
    bool keep = true;
    if (task == "sycophancy_persona") keep = it.value("source", "") == "persona";
    if (task == "sycophancy_preference") keep = it.value("source", "") == "preference";
    if (task == "emotional_awareness") keep = it.value("dimension", "") == "emotion";
    if (task == "awareness") keep = it.value("dimension", "") != "emotion";
    if (keep) out.push_back(i);
  }
  return out;
}

}  // namespace

// ---- every task on the real files -------------------------------------------------------------

TEST_CASE("every task: item count, ids = file indices, temperature, strata (real files)") {
  if (!have_data()) return;
  std::set<std::string> tasks_seen;
  for (const Expect& e : expectations()) {
    CAPTURE(e.task);
    tasks_seen.insert(e.task);
    auto ds = make(e.plugin, json{{"task", e.task}, {"data_dir", data_dir().string()}});
    CHECK(ds->task() == e.task);
    CHECK(ds->size() == e.items);
    CHECK(ds->file().verified);  // the data folder has MANIFEST.tsv
    CHECK(ds->file().rel_path == e.file);
    CHECK(ds->temperature() == e.temperature);

    const json raw = data::read_json_array(data_dir() / e.file);
    const std::vector<size_t> kept = kept_indices(e.task, raw);
    REQUIRE(kept.size() == e.items);
    const std::vector<json> items = read_all(*ds);
    REQUIRE(items.size() == e.items);
    Counts strata;
    for (size_t pos = 0; pos < items.size(); ++pos) {
      const json& it = items[pos];
      const size_t index = kept[pos];
      const std::string stratum = it.at("stratum").get<std::string>();
      CHECK_FALSE(stratum.empty());
      ++strata[stratum];
      if (pos % 37 == 0 || pos + 1 == items.size()) {
        CHECK(it["id"] == std::to_string(index));
        CHECK(it["source"] == json{{"file", e.file}, {"index", index}});
        CHECK(it["prompt"] == raw[index]["prompt"]);
        CHECK(it["fields"] == raw[index]);
        CHECK(it["generation"] == json{{"temperature", e.temperature}, {"max_tokens", 512}});
      }
    }
    if (!e.strata.empty()) CHECK(strata == e.strata);

    sdk::Host h;
    sdk::Call call(h, nullptr);
    json info = ds->info(call);
    CHECK(info["task"] == e.task);
    CHECK(info["dimension"] == e.plugin);
    CHECK(info["items"] == e.items);
    CHECK(info["files"][0]["sha256"].get<std::string>().size() == 64);
  }
  CHECK(tasks_seen.size() == 27);
}

TEST_CASE("filters keep file order: sycophancy and awareness split their files") {
  if (!have_data()) return;
  const json dir = data_dir().string();
  auto persona =
      read_all(*make("truthfulness", {{"task", "sycophancy_persona"}, {"data_dir", dir}}));
  auto pref =
      read_all(*make("truthfulness", {{"task", "sycophancy_preference"}, {"data_dir", dir}}));
  std::set<std::string> ids;
  for (const auto& it : persona) {
    CHECK(it["fields"]["source"] == "persona");
    ids.insert(it["id"].get<std::string>());
  }
  for (const auto& it : pref) {
    CHECK(it["fields"]["source"] == "preference");
    ids.insert(it["id"].get<std::string>());
  }
  CHECK(ids.size() == 419);  // disjoint, together the whole file
  CHECK(std::stoul(pref.front()["id"].get<std::string>()) != 0);  // not renumbered
  // Preference pairs stay consecutive in the file: ids 2k and 2k+1 of the preference items.
  CHECK(std::stoul(pref[1]["id"].get<std::string>()) ==
        std::stoul(pref[0]["id"].get<std::string>()) + 1);

  auto emo = read_all(*make("ethics", {{"task", "emotional_awareness"}, {"data_dir", dir}}));
  auto other = read_all(*make("ethics", {{"task", "awareness"}, {"data_dir", dir}}));
  CHECK(emo.size() + other.size() == 2666);
  for (const auto& it : emo) CHECK(it["fields"]["dimension"] == "emotion");
  for (const auto& it : other) CHECK(it["fields"]["dimension"] != "emotion");
}

TEST_CASE("toxicity reads the jailbreak items with the same generation settings") {
  if (!have_data()) return;
  const json dir = data_dir().string();
  auto jb = read_all(*make("safety", {{"task", "jailbreak"}, {"data_dir", dir}}));
  auto tox = read_all(*make("safety", {{"task", "toxicity"}, {"data_dir", dir}}));
  REQUIRE(jb.size() == tox.size());
  for (size_t i = 0; i < jb.size(); ++i) {
    if (jb[i] != tox[i]) {
      FAIL_CHECK("item " << i << " differs");
      break;
    }
  }
}

TEST_CASE("sampling groups: preference pairs, AdvGLUE pairs, AdvInstruction instructions") {
  if (!have_data()) return;
  const json dir = data_dir().string();
  auto pref = read_all(*make("truthfulness", {{"task", "sycophancy_preference"}, {"data_dir", dir}}));
  REQUIRE(pref.size() == 240);
  for (size_t i = 0; i < pref.size(); ++i) CHECK(pref[i]["group"] == std::to_string(i / 2));
  auto glue = read_all(*make("robustness", {{"task", "advglue"}, {"data_dir", dir}}));
  std::map<std::string, int> glue_sizes;
  for (const auto& it : glue) {
    CHECK(it["group"] == it["fields"]["task"].get<std::string>() + "/" +
                             it["fields"]["index"].dump());
    glue_sizes[it["group"].get<std::string>()]++;
  }
  CHECK(glue_sizes.size() == 456);
  for (const auto& [g, n] : glue_sizes) CHECK_MESSAGE(n == 2, g);
  auto adv = read_all(*make("robustness", {{"task", "advinstruction"}, {"data_dir", dir}}));
  std::map<std::string, int> adv_sizes;
  for (const auto& it : adv) adv_sizes[it["group"].get<std::string>()]++;
  CHECK(adv_sizes.size() == 50);
  for (const auto& [g, n] : adv_sizes) CHECK_MESSAGE(n == 12, g);
  auto jb = read_all(*make("safety", {{"task", "jailbreak"}, {"data_dir", dir}}));
  CHECK_FALSE(jb[0].contains("group"));
}

TEST_CASE("legacy variants") {
  if (!have_data()) return;
  const json dir = data_dir().string();

  // misinformation_internal: the 2024-01-31 copy (CODAH options numbered 1-4).
  auto internal = make("truthfulness",
                       {{"task", "misinformation_internal"}, {"data_dir", dir}, {"legacy", true}});
  CHECK(internal->legacy());
  CHECK(internal->size() == 400);
  CHECK(internal->file().verified);
  CHECK(internal->file().rel_path == "legacy-2024-01-31/truthfulness/internal.json");
  CHECK(internal->item(0)["generation"]["temperature"] == 1.0);
  CHECK(internal->item(0)["source"]["file"] == "legacy-2024-01-31/truthfulness/internal.json");
  auto current = make("truthfulness",
                      {{"task", "misinformation_internal"}, {"data_dir", dir}, {"legacy", false}});
  CHECK_FALSE(current->legacy());
  CHECK(current->file().sha256 != internal->file().sha256);

  // emotional_awareness: the paper's 200-item file, `option` -> `label`.
  auto emo = make("ethics", {{"task", "emotional_awareness"}, {"data_dir", dir}, {"legacy", true}});
  CHECK(emo->size() == 200);
  CHECK(emo->file().rel_path == "legacy-2024-01-31/ethics/emotional_awareness.json");
  const json raw = data::read_json_array(data_dir() / emo->file().rel_path);
  REQUIRE(raw[0]["label"] == "emotional_awareness");
  Counts strata;
  auto items = read_all(*emo);
  for (size_t i = 0; i < items.size(); ++i) {
    const json& f = items[i]["fields"];
    CHECK(f["label"] == raw[i]["option"]);
    CHECK_FALSE(f.contains("option"));
    CHECK(items[i]["id"] == std::to_string(i));
    CHECK(items[i]["generation"]["temperature"] == 0.0);
    ++strata[items[i]["stratum"].get<std::string>()];
  }
  CHECK(strata == Counts{{"1", 58}, {"2", 77}, {"3", 43}, {"4", 22}});

  // `legacy: true` on a task without a legacy file, and `legacy` in a plugin without any.
  sdk::Error e = catch_error([&] {
    make("truthfulness", {{"task", "hallucination"}, {"data_dir", dir}, {"legacy", true}});
  });
  CHECK(e.status() == TLM_E_CONFIG);
  CHECK(std::string(e.what()).rfind("/legacy: task hallucination has no legacy variant", 0) == 0);
  e = catch_error([&] {
    make("fairness", {{"task", "preference"}, {"data_dir", dir}, {"legacy", false}});
  });
  CHECK(std::string(e.what()).rfind("/legacy: unknown key", 0) == 0);
  e = catch_error([&] {
    make("ethics", {{"task", "awareness"}, {"data_dir", dir}, {"legacy", "yes"}});
  });
  CHECK(std::string(e.what()) == "/legacy: must be true or false");
}

TEST_CASE("the Social Chemistry file with bare NaN literals loads") {
  if (!have_data()) return;
  auto ds =
      make("ethics", {{"task", "implicit_social_chemistry"}, {"data_dir", data_dir().string()}});
  REQUIRE(ds->size() == 500);
  CHECK(ds->item(35)["fields"]["rot-categorization"].is_null());
  CHECK(ds->item(179)["fields"]["rot-categorization"].is_null());
  CHECK(ds->item(406)["fields"]["legal"].is_null());
  CHECK(ds->item(406)["fields"]["action-pressure"].is_null());
  CHECK(ds->item(0)["fields"]["label"] == -2.0);
  CHECK(ds->item(0)["stratum"] == "-2.0");
}

// ---- an imported toolkit result tree as data_dir ----------------------------------------------

TEST_CASE("the parity tree loads as data_dir and exposes res / eval_res in fields") {
  if (!have_parity()) return;
  size_t with_eval_res = 0;
  for (const Expect& e : expectations()) {
    CAPTURE(e.task);
    auto ds = make(e.plugin, json{{"task", e.task}, {"data_dir", parity_dir().string()}});
    CHECK_FALSE(ds->file().verified);  // result trees carry no manifest
    CHECK(ds->size() == e.items);
    const json raw = data::read_json_array(parity_dir() / e.file);
    const std::vector<size_t> kept = kept_indices(e.task, raw);
    REQUIRE(kept.size() == e.items);
    for (size_t pos = 0; pos < ds->size(); pos += 13) {
      const json it = ds->item(pos);
      const size_t index = kept[pos];
      CHECK(it["id"] == std::to_string(index));
      CHECK(it["fields"] == raw[index]);
      CHECK(it["fields"].contains("res"));
      if (raw[index].contains("eval_res")) {
        CHECK(it["fields"].contains("eval_res"));
        ++with_eval_res;
      }
    }
  }
  CHECK(with_eval_res > 0);
  auto jb = make("safety", {{"task", "jailbreak"}, {"data_dir", parity_dir().string()}});
  CHECK(jb->item(0)["fields"].contains("eval_res"));
  CHECK(jb->item(0)["fields"].contains("toxicity"));
  auto syc = make("truthfulness",
                  {{"task", "sycophancy_preference"}, {"data_dir", parity_dir().string()}});
  CHECK(syc->item(0)["fields"].contains("eval_res"));
}

// ---- errors ----------------------------------------------------------------------------------

TEST_CASE("config errors are one line and name the key and the fix") {
  auto config_err = [](const std::string& plugin, const json& cfg) {
    sdk::Error err = catch_error([&] { make(plugin, cfg); });
    CHECK(err.status() == TLM_E_CONFIG);
    const std::string msg = err.what();
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  };
  std::string m = config_err("fairness", {{"task", "jailbreak"}, {"data_dir", "x"}});
  CHECK(m.rfind("/task: required; one of stereotype_recognition, stereotype_agreement, "
                "stereotype_query, disparagement, preference",
                0) == 0);
  CHECK(m.find("trustllm_fairness") != std::string::npos);
  CHECK(config_err("ethics", {{"data_dir", "x"}}).rfind("/task:", 0) == 0);
  CHECK(config_err("privacy", {{"task", 3}, {"data_dir", "x"}}).rfind("/task:", 0) == 0);
  CHECK(config_err("robustness", {{"task", "advglue"}}) ==
        "/data_dir: required: the folder holding robustness/AdvGLUE.json (e.g. "
        "$TRUSTLLM_DATA_DIR)");
  CHECK(config_err("truthfulness", {{"task", "hallucination"}, {"data_dir", ""}})
            .rfind("/data_dir:", 0) == 0);
  CHECK(config_err("ethics", {{"task", "awareness"}, {"data_dir", "x"}, {"max_tokens", -1}}) ==
        "/max_tokens: must be a positive integer");
  CHECK(config_err("ethics", {{"task", "awareness"}, {"data_dir", "x"}, {"verify_checksum", 1}}) ==
        "/verify_checksum: must be true or false");
  CHECK(config_err("privacy", {{"task", "privacy_leakage"}, {"data_dir", "x"}, {"tsk", 1}}) ==
        "/tsk: unknown key (allowed: task, data_dir, verify_checksum, max_tokens)");
  CHECK(config_err("truthfulness", {{"task", "adv_factuality"}, {"data_dir", "x"}, {"x", 1}}) ==
        "/x: unknown key (allowed: task, data_dir, verify_checksum, max_tokens, legacy)");
}

TEST_CASE("missing files and malformed items are one-line errors naming file, item and key") {
  TempDir t;
  sdk::Error e = catch_error([&] {
    make("privacy", {{"task", "privacy_leakage"}, {"data_dir", t.path.string()}});
  });
  CHECK(e.status() == TLM_E_NOT_FOUND);
  CHECK(std::string(e.what()) == (t.path / "privacy" / "privacy_leakage.json").string() +
                                     ": file not found \u2014 set TRUSTLLM_DATA_DIR or data_dir");

  // A filtered task: an item without the filter key is named; ids are file indices.
  t.write("truthfulness/sycophancy.json",
          R"([{"prompt": "a", "source": "preference"}, {"prompt": "b", "source": "persona"},)"
          R"( {"prompt": "c", "source": "preference"}, {"prompt": "d"}])");
  e = catch_error([&] {
    make("truthfulness", {{"task", "sycophancy_persona"}, {"data_dir", t.path.string()}});
  });
  CHECK(e.status() == TLM_E_INPUT);
  CHECK(std::string(e.what()) ==
        (t.path / "truthfulness" / "sycophancy.json").string() +
            " item 3: 'source' must be a string (task sycophancy_persona keeps items where "
            "source == \"persona\")");
  t.write("truthfulness/sycophancy.json",
          R"([{"prompt": "a", "source": "preference"}, {"prompt": "b", "source": "persona"},)"
          R"( {"prompt": "c", "source": "preference", "max_tokens": 1}])");
  auto pref =
      make("truthfulness",
           {{"task", "sycophancy_preference"}, {"data_dir", t.path.string()}, {"max_tokens", 64}});
  auto items = read_all(*pref);
  REQUIRE(items.size() == 2);
  CHECK(items[0]["id"] == "0");
  CHECK(items[1]["id"] == "2");
  CHECK(items[1]["source"]["index"] == 2);
  CHECK(items[1]["prompt"] == "c");
  CHECK(items[1]["generation"] == json{{"temperature", 1.0}, {"max_tokens", 64}});
  CHECK_FALSE(pref->file().verified);  // no manifest in this folder
  sdk::Host h;
  sdk::Call call(h, nullptr);
  std::vector<json> window;
  pref->read(
      1, 5, [&](const json& it) { window.push_back(it); }, call);
  REQUIRE(window.size() == 1);
  CHECK(window[0]["id"] == "2");
  CHECK(pref->info(call)["filter"] == "source == \"preference\"");

  // No item passes the filter.
  t.write("ethics/awareness.json", R"([{"prompt": "a", "dimension": "mission", "label": "A"}])");
  e = catch_error([&] {
    make("ethics", {{"task", "emotional_awareness"}, {"data_dir", t.path.string()}});
  });
  CHECK(std::string(e.what()).find("no items for task emotional_awareness") != std::string::npos);

  // A missing stratum key, a missing prompt, a legacy file without `option`.
  t.write("fairness/preference.json", R"([{"prompt": "a", "type": "plain"}, {"prompt": "b"}])");
  e = catch_error([&] {
    make("fairness", {{"task", "preference"}, {"data_dir", t.path.string()}});
  });
  CHECK(std::string(e.what()) ==
        (t.path / "fairness" / "preference.json").string() +
            " item 1: 'type' is missing (stratum type of task preference)");
  t.write("fairness/stereotype_query_test.json", R"([{"prompt": "a"}, {"text": "b"}])");
  e = catch_error([&] {
    make("fairness", {{"task", "stereotype_query"}, {"data_dir", t.path.string()}});
  });
  CHECK(std::string(e.what()).find("item 1: 'prompt' must be a string") != std::string::npos);
  t.write("legacy-2024-01-31/ethics/emotional_awareness.json",
          R"([{"prompt": "a", "option": "2", "label": "emotional_awareness"}, {"prompt": "b"}])");
  e = catch_error([&] {
    make("ethics",
         {{"task", "emotional_awareness"}, {"data_dir", t.path.string()}, {"legacy", true}});
  });
  CHECK(std::string(e.what()).find("item 1: 'option' is missing") != std::string::npos);
}

// ---- plugin metadata and the built libraries ---------------------------------------------------

TEST_CASE("meta: schema lists the tasks with item counts") {
  struct P {
    sdk::Meta meta;
    const char* name;
    size_t tasks;
    bool legacy;
  };
  for (const P& p :
       {P{trustllm::truthfulness::TruthfulnessDataset::meta(), "trustllm_truthfulness", 6, true},
        P{trustllm::safety::SafetyDataset::meta(), "trustllm_safety", 4, false},
        P{trustllm::fairness::FairnessDataset::meta(), "trustllm_fairness", 5, false},
        P{trustllm::robustness::RobustnessDataset::meta(), "trustllm_robustness", 4, false},
        P{trustllm::privacy::PrivacyDataset::meta(), "trustllm_privacy", 3, false},
        P{trustllm::ethics::EthicsDataset::meta(), "trustllm_ethics", 5, true}}) {
    CAPTURE(p.name);
    CHECK(std::string(p.meta.name) == p.name);
    json schema = json::parse(p.meta.config_schema);
    CHECK(schema["required"] == json::array({"task", "data_dir"}));
    CHECK(schema["additionalProperties"] == false);
    CHECK(schema["properties"]["task"]["enum"].size() == p.tasks);
    CHECK(schema["properties"].contains("legacy") == p.legacy);
    for (auto& [k, v] : schema["properties"].items()) CHECK_MESSAGE(v.contains("description"), k);
    CHECK(std::string(p.meta.example_config).find("plugin: " + std::string(p.name)) !=
          std::string::npos);
  }
  const std::string desc = trustllm::truthfulness::TruthfulnessDataset::meta().description;
  CHECK(desc.find("sycophancy_persona (179)") != std::string::npos);
  CHECK(desc.find("sycophancy_preference (240)") != std::string::npos);
  const std::string ethics_schema = trustllm::ethics::EthicsDataset::meta().config_schema;
  CHECK(ethics_schema.find("where dimension != \\\"emotion\\\" (2466 items)") != std::string::npos);
}

TEST_CASE("the built plugin libraries export one dataset component each") {
  for (const char* path : {TRUTHFULNESS_PLUGIN_PATH, SAFETY_PLUGIN_PATH, FAIRNESS_PLUGIN_PATH,
                           ROBUSTNESS_PLUGIN_PATH, PRIVACY_PLUGIN_PATH, ETHICS_PLUGIN_PATH}) {
    CAPTURE(path);
    void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    REQUIRE_MESSAGE(lib != nullptr, dlerror());
    auto entry = reinterpret_cast<tlm_entry_fn>(dlsym(lib, TLM_ENTRY_SYMBOL));
    REQUIRE(static_cast<bool>(entry));
    const tlm_plugin_info* info = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR);
    REQUIRE(info->component_count == 1);
    CHECK(info->components[0]->kind == TLM_KIND_DATASET);
    CHECK(std::string(info->components[0]->name).rfind("trustllm_", 0) == 0);
    CHECK_NOTHROW(json::parse(info->components[0]->config_schema_json));
  }
}
