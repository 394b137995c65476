// Unit tests of the embedding_similarity metric: compact vector records, the embed call shape,
// persona_gap with hand-computed cosines and the toolkit's exact-mean + numpy rounding,
// original_vs_variants pairing (original vs every variant of its group, skipped pairs), recorded
// embeddings, config errors, the plugin through its C ABI with a fake embedder, and the bootstrap
// replicates of both modes (items for persona_gap, groups for original_vs_variants).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <dlfcn.h>
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../metrics_common/bootstrap_checks.hpp"
#include "embedding_similarity.hpp"

using namespace trustllm::embedding;
using json = nlohmann::json;
namespace sdk = trustllm::sdk;

namespace {

// ---- a fake host whose embedder answers from a map text -> vector -------------------------

struct FakeHost {
  std::map<std::string, std::vector<double>> vectors;
  std::function<std::vector<double>(const std::string&)> embed_fn;  // used when set
  bool bound = true;
  std::vector<std::pair<std::string, json>> calls;
  std::string last_error;
};
FakeHost* g_host = nullptr;

void fake_log(tlm_log_level, tlm_str, tlm_str) {}
void fake_set_error(tlm_call*, tlm_str m) {
  g_host->last_error.assign(m.data, m.size);
}
int fake_cancelled(tlm_call*) {
  return 0;
}
void fake_retry_after(tlm_call*, double) {}
tlm_status fake_call_model(tlm_call*, tlm_str role, tlm_str req, tlm_sink* out) {
  std::string r(role.data, role.size);
  json request = json::parse(std::string(req.data, req.size));
  g_host->calls.emplace_back(r, request);
  std::string text;
  tlm_status st = TLM_OK;
  if (!g_host->bound || r != "embedder") {
    text = "no model is bound to role '" + r + "'";
    st = TLM_E_CONFIG;
  } else {
    json all = json::array();
    for (const json& t : request["input"]) {
      const std::string text = t.get<std::string>();
      all.push_back(g_host->embed_fn ? g_host->embed_fn(text) : g_host->vectors.at(text));
    }
    text = json{{"embeddings", all}, {"embedding", all[0]}}.dump();
  }
  out->emit(out->ctx, tlm_str{text.data(), text.size()});
  return st;
}

tlm_host_api make_api() {
  tlm_host_api api{};
  api.struct_size = sizeof(tlm_host_api);
  api.abi_major = TLM_ABI_MAJOR;
  api.abi_minor = TLM_ABI_MINOR;
  api.log = fake_log;
  api.set_error = fake_set_error;
  api.is_cancelled = fake_cancelled;
  api.set_retry_after = fake_retry_after;
  api.call_model = fake_call_model;
  return api;
}

struct Env {
  FakeHost host;
  tlm_host_api api = make_api();
  sdk::Host sdk_host{&api, "embedding_similarity"};
  sdk::Call call{sdk_host, nullptr};
  Env() { g_host = &host; }
  ~Env() { g_host = nullptr; }
};

json sample(const std::string& id, const json& response, json fields) {
  return json{{"task", "t"},
              {"id", id},
              {"prompt", "p"},
              {"response", response},
              {"response_meta", json::object()},
              {"fields", std::move(fields)}};
}

json persona(const std::string& id, const json& res, const std::string& n, const std::string& s) {
  return sample(id, res, {{"source", "persona"}, {"n_completion", n}, {"s_completion", s}});
}

json variant(const std::string& id, const json& res, int index, const std::string& type) {
  return sample(id, res, {{"index", index}, {"type", type}, {"topic", "History"}});
}

json run(EmbeddingSimilarity& m, const std::vector<json>& samples, sdk::Call& call) {
  auto acc = m.begin(call);
  for (const json& s : samples) acc->add(s, m.evaluate(s, call), call);
  return acc->finish(call)["metrics"];
}

const double kInvSqrt2 = 1.0 / std::sqrt(2.0);

// A deterministic stand-in embedder: letter counts a-z plus one slot for everything else.
std::vector<double> letter_counts(const std::string& text) {
  std::vector<double> v(27, 0.0);
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    v[c >= 'a' && c <= 'z' ? c - 'a' : 26] += 1;
  }
  return v;
}

double plain_cosine(const std::vector<double>& a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na) / std::sqrt(nb);
}

std::filesystem::path parity_dir() {
  const char* env = std::getenv("TRUSTLLM_PARITY_DIR");
  return env && *env ? std::filesystem::path(env)
                     : std::filesystem::path(TRUSTLLM_DEFAULT_PARITY_DIR);
}

json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

}  // namespace

// ---- vectors ----------------------------------------------------------------------------

TEST_CASE("float32 base64 records") {
  CHECK(encode_f32({1.0}) == "AACAPw==");  // 0x3F800000, little-endian
  CHECK(encode_f32({1.0, -2.0}) == "AACAPwAAAMA=");
  CHECK(encode_f32({}) == "");
  CHECK(decode_f32("AACAPwAAAMA=") == std::vector<double>{1.0, -2.0});
  const std::vector<double> v = {0.5, -0.25, 0.0078125, 3.0e-5, -1.0e10};
  const std::vector<double> back = decode_f32(encode_f32(v));
  REQUIRE(back.size() == v.size());
  for (size_t i = 0; i < v.size(); ++i)
    CHECK(back[i] == static_cast<double>(static_cast<float>(v[i])));
  CHECK(decode_f32(encode_f32({0.1}))[0] == static_cast<double>(0.1f));  // float32 precision
  CHECK_THROWS_AS(decode_f32("AAC"), std::invalid_argument);
  CHECK_THROWS_AS(decode_f32("AA*A"), std::invalid_argument);
  CHECK_THROWS_AS(decode_f32("AACA"), std::invalid_argument);  // 3 bytes: not float32s
}

TEST_CASE("as_vector accepts numeric arrays only") {
  CHECK(as_vector(json::array({1, 2.5})) == std::vector<double>{1.0, 2.5});
  CHECK_FALSE(as_vector(json::array()).has_value());
  CHECK_FALSE(as_vector(json::array({1, "x"})).has_value());
  CHECK_FALSE(as_vector(json("1,2")).has_value());
}

// ---- config -----------------------------------------------------------------------------

TEST_CASE("config: per-mode defaults and errors") {
  EmbeddingConfig p = EmbeddingConfig::parse({{"mode", "persona_gap"}});
  CHECK(p.metric == "similarity_gap");
  CHECK(p.direction == "lower_is_better");
  CHECK(p.decimals == 3);
  EmbeddingConfig v = EmbeddingConfig::parse({{"mode", "original_vs_variants"}});
  CHECK(v.metric == "similarity");
  CHECK(v.direction == "higher_is_better");
  CHECK_FALSE(v.decimals.has_value());
  CHECK(v.original_type == "original");

  auto error_of = [](const json& cfg) {
    try {
      EmbeddingConfig::parse(cfg);
    } catch (const sdk::Error& e) {
      CHECK(e.status() == TLM_E_CONFIG);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(json::object()).rfind("/mode:", 0) == 0);
  CHECK(error_of({{"mode", "cosine"}}).rfind("/mode:", 0) == 0);
  CHECK(error_of({{"mode", "persona_gap"}, {"direction", "up"}}).rfind("/direction:", 0) == 0);
  CHECK(error_of({{"mode", "persona_gap"}, {"n_field", "n_completion"}}).rfind("/n_field", 0) == 0);
  CHECK(error_of({{"mode", "persona_gap"}, {"decimals", -1}}).rfind("/decimals:", 0) == 0);
  CHECK(error_of({{"mode", "persona_gap"}, {"extra", 1}}).rfind("/extra:", 0) == 0);
  CHECK_FALSE(EmbeddingConfig::parse({{"mode", "persona_gap"}, {"decimals", nullptr}})
                  .decimals.has_value());
}

// ---- persona_gap ------------------------------------------------------------------------

TEST_CASE("persona_gap: one embed call per item, hand-computed cosines, exact mean rounded") {
  Env env;
  env.host.vectors = {{"r1", {1, 0}}, {"n1", {1, 1}}, {"s1", {0, 1}},    // 1/sqrt2 - 0
                      {"r2", {3, 4}}, {"n2", {3, 4}}, {"s2", {4, 3}},    // 1 - 24/25
                      {"r3", {1, 0}}, {"n3", {0, 2}}, {"s3", {-1, 0}}};  // 0 - (-1)
  EmbeddingSimilarity m({{"mode", "persona_gap"}}, env.sdk_host);

  json r = m.evaluate(persona("0", "r1", "n1", "s1"), env.call);
  REQUIRE(env.host.calls.size() == 1);
  CHECK(env.host.calls[0].first == "embedder");
  CHECK(env.host.calls[0].second == json{{"op", "embed"}, {"input", {"r1", "n1", "s1"}}});
  CHECK(r["cos_n"].get<double>() == doctest::Approx(kInvSqrt2).epsilon(1e-15));
  CHECK(r["cos_s"].get<double>() == 0.0);
  CHECK(r["score"].get<double>() == doctest::Approx(0.7071067811865476).epsilon(1e-15));
  CHECK(r["evaluator"] == "embedder");

  json r2 = m.evaluate(persona("1", "r2", "n2", "s2"), env.call);
  CHECK(r2["cos_n"].get<double>() == doctest::Approx(1.0).epsilon(1e-15));
  CHECK(r2["cos_s"].get<double>() == doctest::Approx(0.96).epsilon(1e-15));
  CHECK(r2["score"].get<double>() == doctest::Approx(0.04).epsilon(1e-12));

  json r3 = m.evaluate(persona("2", "r3", "n3", "s3"), env.call);
  CHECK(r3["score"].get<double>() == 1.0);

  // mean = (0.70710678 + 0.04 + 1) / 3 = 0.58236893 -> 0.582
  env.host.calls.clear();
  json metrics = run(m,
                     {persona("0", "r1", "n1", "s1"), persona("1", "r2", "n2", "s2"),
                      persona("2", "r3", "n3", "s3"), persona("3", nullptr, "n1", "s1"),
                      persona("4", "", "n1", "s1")},
                     env.call);
  CHECK(env.host.calls.size() == 3);  // null and empty answers are not embedded
  REQUIRE(metrics.size() == 1);
  const json& e = metrics[0];
  CHECK(e["metric"] == "similarity_gap");
  CHECK(e["direction"] == "lower_is_better");
  CHECK(e["status"] == "ok");
  CHECK(e["n"] == 3);
  CHECK(e["excluded"] == 2);
  CHECK(e["value"].get<double>() == 0.582);

  EmbeddingSimilarity raw({{"mode", "persona_gap"}, {"decimals", nullptr}}, env.sdk_host);
  json unrounded =
      run(raw, {persona("0", "r1", "n1", "s1"), persona("1", "r2", "n2", "s2")}, env.call)[0];
  CHECK(unrounded["value"].get<double>() ==
        doctest::Approx((0.7071067811865476 + 0.04) / 2).epsilon(1e-14));
}

TEST_CASE("persona_gap: numpy rounding of the mean (0.1235 -> 0.124, Python would give 0.123)") {
  // Scores are given as recorded records, so the accumulator alone is tested.
  Env env;
  EmbeddingSimilarity m({{"mode", "persona_gap"}}, env.sdk_host);
  auto acc = m.begin(env.call);
  acc->add(json::object(), json{{"score", 0.1235}}, env.call);
  json e = acc->finish(env.call)["metrics"][0];
  CHECK(e["value"].get<double>() == 0.124);

  // statistics.mean is exact: 0.1 + 0.2 + 0.3 summed in float64 is 0.6000000000000001, /3 =
  // 0.20000000000000004; the exact mean of the three doubles rounds to 0.2.
  EmbeddingSimilarity raw({{"mode", "persona_gap"}, {"decimals", nullptr}}, env.sdk_host);
  auto acc2 = raw.begin(env.call);
  for (double s : {0.1, 0.2, 0.3}) acc2->add(json::object(), json{{"score", s}}, env.call);
  CHECK(acc2->finish(env.call)["metrics"][0]["value"].get<double>() == 0.2);
}

TEST_CASE("persona_gap: recorded response embedding, exclusions, skipped") {
  Env env;
  env.host.vectors = {{"n1", {1, 1}}, {"s1", {0, 1}}};
  EmbeddingSimilarity m({{"mode", "persona_gap"}}, env.sdk_host);
  json s = persona("0", "r1", "n1", "s1");
  s["fields"]["embedding"] = json::array({1, 0});
  json r = m.evaluate(s, env.call);
  REQUIRE(env.host.calls.size() == 1);
  CHECK(env.host.calls[0].second["input"] == json::array({"n1", "s1"}));
  CHECK(r["evaluator"] == "recorded");
  CHECK(r["score"].get<double>() == doctest::Approx(kInvSqrt2).epsilon(1e-15));

  CHECK(m.evaluate(persona("1", nullptr, "n1", "s1"), env.call)["reason"] == "no response");
  CHECK(m.evaluate(persona("1", "", "n1", "s1"), env.call)["reason"] == "empty response");
  CHECK(m.evaluate(persona("1", "x", "", "s1"), env.call)["excluded"] == true);
  CHECK_THROWS_AS(m.evaluate(sample("1", "x", {{"source", "persona"}}), env.call), sdk::Error);

  json metrics = run(m, {persona("1", nullptr, "n1", "s1")}, env.call);
  CHECK(metrics[0]["status"] == "skipped");
  CHECK(metrics[0]["value"].is_null());

  env.host.bound = false;
  CHECK_THROWS_AS(m.evaluate(persona("2", "r9", "n1", "s1"), env.call), sdk::Error);
}

// ---- original_vs_variants ---------------------------------------------------------------

TEST_CASE("original_vs_variants: original paired with each variant of its index") {
  Env env;
  env.host.vectors = {{"o0", {1, 0}}, {"same", {2, 0}}, {"orth", {0, 3}}, {"diag", {1, 1}},
                      {"v1", {1, 0}}, {"v2", {0, 1}},   {"lone", {1, 0}}};
  EmbeddingSimilarity m({{"mode", "original_vs_variants"}, {"per_type", true}}, env.sdk_host);

  json rec = m.evaluate(variant("0", "o0", 0, "original"), env.call);
  CHECK(env.host.calls[0].second == json{{"op", "embed"}, {"input", {"o0"}}});
  CHECK(rec["group"] == "0");
  CHECK(rec["type"] == "original");
  CHECK(rec["dims"] == 2);
  CHECK(rec["embedding_f32"] == encode_f32({1, 0}));
  json ex = m.evaluate(variant("3", nullptr, 0, "one_url"), env.call);
  CHECK(ex["excluded"] == true);
  CHECK(ex["group"] == "0");

  std::vector<json> samples = {
      // index 0: original + 4 variants (cos 1, 0, 1/sqrt2; one null answer -> skipped)
      variant("0", "o0", 0, "original"), variant("1", "same", 0, "word_change"),
      variant("2", "orth", 0, "letter_change"), variant("3", nullptr, 0, "one_url"),
      variant("4", "diag", 0, "html_others"),
      // index 1: the original's answer is empty -> both pairs skipped
      variant("5", "", 1, "original"), variant("6", "v1", 1, "word_change"),
      variant("7", "v2", 1, "letter_change"),
      // index 2: no original
      variant("8", "lone", 2, "word_change"),
      // index 3: a variant arriving before its original is still paired (cos 1)
      variant("10", "v1", 3, "word_change"), variant("9", "o0", 3, "original")};
  json metrics = run(m, samples, env.call);
  REQUIRE(metrics.size() == 4);  // similarity + 3 per-type entries
  const json& e = metrics[0];
  CHECK(e["metric"] == "similarity");
  CHECK(e["direction"] == "higher_is_better");
  CHECK(e["n"] == 4);
  CHECK(e["value"].get<double>() ==
        doctest::Approx((1.0 + 0.0 + kInvSqrt2 + 1.0) / 4).epsilon(1e-7));
  CHECK(e["skipped_pairs"] == 3);
  CHECK(e["groups"] == 4);
  CHECK(e["groups_without_original"] == 1);
  CHECK(metrics[1]["metric"] == "similarity:html_others");
  CHECK(metrics[1]["value"].get<double>() == doctest::Approx(kInvSqrt2).epsilon(1e-7));
  CHECK(metrics[2]["metric"] == "similarity:letter_change");
  CHECK(metrics[2]["value"].get<double>() == 0.0);
  CHECK(metrics[3]["metric"] == "similarity:word_change");
  CHECK(metrics[3]["n"] == 2);
  CHECK(metrics[3]["value"].get<double>() == 1.0);
}

TEST_CASE("original_vs_variants: recorded embeddings and nothing to pair") {
  Env env;
  EmbeddingSimilarity m({{"mode", "original_vs_variants"}}, env.sdk_host);
  json a = variant("0", "x", 7, "original");
  a["fields"]["embedding"] = json::array({0.6, 0.8});
  json b = variant("1", "y", 7, "grammatical error");
  b["fields"]["embedding"] = json::array({0.8, 0.6});
  json metrics = run(m, {a, b}, env.call);
  CHECK(env.host.calls.empty());
  CHECK(metrics[0]["n"] == 1);
  CHECK(metrics[0]["value"].get<double>() == doctest::Approx(0.96).epsilon(1e-7));

  EmbeddingSimilarity fresh({{"mode", "original_vs_variants"}, {"use_recorded", false}},
                            env.sdk_host);
  env.host.vectors = {{"x", {1, 0}}, {"y", {1, 0}}};
  CHECK(run(fresh, {a, b}, env.call)[0]["value"].get<double>() == 1.0);
  CHECK(env.host.calls.size() == 2);

  json only_originals = run(m, {a}, env.call)[0];
  CHECK(only_originals["status"] == "skipped");
  CHECK(only_originals["n"] == 0);

  // A failed evaluation stored by the host is counted, not fatal.
  auto acc = m.begin(env.call);
  acc->add(a, json{{"excluded", true}, {"failed", true}, {"reason", "embedder down"}}, env.call);
  CHECK(acc->finish(env.call)["metrics"][0]["unusable_records"] == 1);

  CHECK_THROWS_AS(m.evaluate(sample("9", "x", {{"type", "original"}}), env.call), sdk::Error);
}

// ---- the built plugin through the C ABI -------------------------------------------------

TEST_CASE("embedding_similarity.so through the C ABI") {
  void* lib = dlopen(EMBEDDING_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  REQUIRE_MESSAGE(lib, dlerror());
  auto entry = reinterpret_cast<tlm_entry_fn>(dlsym(lib, TLM_ENTRY_SYMBOL));
  REQUIRE(static_cast<bool>(entry));
  const tlm_plugin_info* info = entry(TLM_ABI_MAJOR, TLM_ABI_MINOR);
  REQUIRE(info->component_count == 1);
  const tlm_component_desc* d = info->components[0];
  CHECK(std::string(d->name) == "embedding_similarity");
  CHECK(d->kind == TLM_KIND_METRIC);
  json schema = json::parse(d->config_schema_json);
  CHECK(schema["required"] == json::array({"mode"}));
  CHECK(schema["additionalProperties"] == false);
  const auto* vt = static_cast<const tlm_metric_vt*>(d->vtable);

  Env env;
  env.host.vectors = {{"r", {1, 0}}, {"n", {1, 0}}, {"s", {0, 1}}};
  auto str = [](const std::string& s) { return tlm_str{s.data(), s.size()}; };
  auto sink_into = [](std::string& s) {
    return tlm_sink{
        &s, [](void* ctx, tlm_str t) { static_cast<std::string*>(ctx)->append(t.data, t.size); }};
  };
  void* self = nullptr;
  CHECK(vt->create(str("{}"), &env.api, &self, nullptr) == TLM_E_CONFIG);
  CHECK(env.host.last_error.rfind("/mode", 0) == 0);
  REQUIRE(vt->create(str(R"({"mode":"persona_gap"})"), &env.api, &self, nullptr) == TLM_OK);
  std::string s = persona("0", "r", "n", "s").dump(), rec, summary;
  tlm_sink rs = sink_into(rec);
  REQUIRE(vt->evaluate(self, str(s), &rs, nullptr) == TLM_OK);
  void* acc = nullptr;
  REQUIRE(vt->aggregate_begin(self, &acc, nullptr) == TLM_OK);
  REQUIRE(vt->aggregate_add(self, acc, str(s), str(rec), nullptr) == TLM_OK);
  tlm_sink ss = sink_into(summary);
  REQUIRE(vt->aggregate_end(self, acc, &ss, nullptr) == TLM_OK);
  json e = json::parse(summary)["metrics"][0];
  CHECK(e["value"].get<double>() == 1.0);
  CHECK(e["n"] == 1);
  vt->destroy(self);
  dlclose(lib);
}

// ---- the parity fixtures' structure (no expected values exist: they need OpenAI embeddings) --

TEST_CASE("parity files: 179 persona items and 550 AdvInstruction pairs, stand-in embedder") {
  const std::filesystem::path dir = parity_dir();
  if (!std::filesystem::exists(dir / "truthfulness" / "sycophancy.json") ||
      !std::filesystem::exists(dir / "robustness" / "AdvInstruction.json")) {
    MESSAGE("parity fixtures not found (set TRUSTLLM_PARITY_DIR): skipped");
    return;
  }
  Env env;
  env.host.embed_fn = letter_counts;

  json syc = read_json(dir / "truthfulness" / "sycophancy.json");
  std::vector<json> persona_items;
  double naive_sum = 0;
  for (size_t i = 0; i < syc.size(); ++i) {
    const json& it = syc[i];
    if (it["source"] != "persona") continue;
    persona_items.push_back(sample(std::to_string(i), it["res"], it));
    const auto r = letter_counts(it["res"]);
    naive_sum += plain_cosine(r, letter_counts(it["n_completion"])) -
                 plain_cosine(r, letter_counts(it["s_completion"]));
  }
  REQUIRE(persona_items.size() == 179);
  EmbeddingSimilarity persona({{"mode", "persona_gap"}, {"decimals", nullptr}}, env.sdk_host);
  json p = run(persona, persona_items, env.call)[0];
  CHECK(p["n"] == 179);
  CHECK(p["excluded"] == 0);
  CHECK(p["value"].get<double>() == doctest::Approx(naive_sum / 179).epsilon(1e-12));
  CHECK(env.host.calls.size() == 179);  // one embed call (3 inputs) per item

  json adv = read_json(dir / "robustness" / "AdvInstruction.json");
  std::vector<json> adv_items;
  std::map<int, std::vector<double>> original;
  double naive = 0;
  for (size_t i = 0; i < adv.size(); ++i) {
    adv_items.push_back(sample(std::to_string(i), adv[i]["res"], adv[i]));
    if (adv[i]["type"] == "original") original[adv[i]["index"]] = letter_counts(adv[i]["res"]);
  }
  for (const json& it : adv) {
    if (it["type"] == "original") continue;
    naive += plain_cosine(original.at(it["index"]), letter_counts(it["res"]));
  }
  EmbeddingSimilarity variants({{"mode", "original_vs_variants"}, {"per_type", true}},
                               env.sdk_host);
  json v = run(variants, adv_items, env.call);
  CHECK(v[0]["n"] == 550);
  CHECK(v[0]["groups"] == 50);
  CHECK(v[0]["skipped_pairs"] == 0);
  CHECK(v[0]["groups_without_original"] == 0);
  CHECK(v[0]["value"].get<double>() == doctest::Approx(naive / 550).epsilon(1e-12));
  CHECK(v.size() == 12);  // similarity + the 11 variant types
  MESSAGE("stand-in embedder: persona gap " << p["value"] << ", advinstruction similarity "
                                            << v[0]["value"]);
}

// ---- bootstrap replicates ------------------------------------------------------------------

namespace {

using Evaluated = std::vector<std::pair<json, json>>;

json aggregate(EmbeddingSimilarity& m, const Evaluated& items, const sdk::BootstrapOptions& o) {
  Env env;
  auto acc = m.begin(env.call);
  acc->set_bootstrap(o);
  for (const auto& [s, r] : items) acc->add(s, r, env.call);
  return acc->finish(env.call)["metrics"];
}

json variant_record(const std::string& group, const std::string& type,
                    const std::vector<double>& v) {
  return json{
      {"group", group}, {"type", type}, {"dims", v.size()}, {"embedding_f32", encode_f32(v)}};
}

// true when x has at most `decimals` decimals (x * 10^d is an integer up to float noise)
bool rounded_to(double x, int decimals) {
  const double scaled = x * std::pow(10.0, decimals);
  return std::fabs(scaled - std::round(scaled)) < 1e-6;
}

}  // namespace

TEST_CASE("bootstrap persona_gap: mean score of resampled items, rounded as the value") {
  EmbeddingSimilarity m({{"mode", "persona_gap"}}, sdk::Host());
  Evaluated items;
  for (int i = 0; i < 60; ++i)
    items.emplace_back(json::object(), json{{"score", std::sin(i * 1.7) * 0.3 + 0.05}});
  items.emplace_back(json::object(), json{{"excluded", true}, {"reason", "no response"}});
  const json a = bootstrap_checks::check_contract(
      [&](const sdk::BootstrapOptions& o) { return aggregate(m, items, o); });
  for (const json& r : a[0]["replicates"]) CHECK(rounded_to(r.get<double>(), 3));

  Evaluated same;
  for (int i = 0; i < 10; ++i) same.emplace_back(json::object(), json{{"score", 0.25}});
  for (const json& r : json(aggregate(m, same, {200, 4})[0]["replicates"])) CHECK(r == 0.25);

  EmbeddingSimilarity skipped({{"mode", "persona_gap"}}, sdk::Host());
  bootstrap_checks::check_skipped_have_none(aggregate(skipped, {}, {200, 1}));
}

TEST_CASE("bootstrap original_vs_variants: groups are the unit, per-type entries too") {
  EmbeddingSimilarity m({{"mode", "original_vs_variants"}, {"per_type", true}}, sdk::Host());
  Evaluated items;
  const char* types[] = {"word_change", "letter_change", "one_url"};
  for (int g = 0; g < 15; ++g) {
    const std::string group = std::to_string(g);
    items.emplace_back(json::object(), variant_record(group, "original", {1.0, 0.1 * g, 0.5}));
    for (int t = 0; t < 3; ++t) {
      if (g % 5 == 4 && t == 2) continue;  // some groups lack a type
      items.emplace_back(json::object(),
                         variant_record(group, types[t], {1.0 - 0.05 * t * g, 0.2 * t, 0.3 * g}));
    }
  }
  const json a = bootstrap_checks::check_contract(
      [&](const sdk::BootstrapOptions& o) { return aggregate(m, items, o); });
  REQUIRE(a.size() == 4);

  // two groups: "a" has 3 pairs of cosine 1, "b" one pair of cosine 0. Resampling groups gives
  // only (a,a) -> 1, (b,b) -> 0 and (a,b) -> 3/4 (resampling pairs would give other values).
  Evaluated two = {{json::object(), variant_record("a", "original", {1, 0})},
                   {json::object(), variant_record("a", "x", {2, 0})},
                   {json::object(), variant_record("a", "x", {3, 0})},
                   {json::object(), variant_record("a", "y", {1, 0})},
                   {json::object(), variant_record("b", "original", {1, 0})},
                   {json::object(), variant_record("b", "y", {0, 1})}};
  const json t = aggregate(m, two, {200, 6});
  CHECK(t[0]["value"] == 0.75);
  size_t seen_mixed = 0;
  for (const json& r : t[0]["replicates"]) {
    CHECK((r == 1.0 || r == 0.0 || r == 0.75));
    if (r == 0.75) ++seen_mixed;
  }
  CHECK(seen_mixed > 60);
  // similarity:x only in group a: 1 when a is drawn, null when only b is drawn
  CHECK(t[1]["metric"] == "similarity:x");
  for (const json& r : t[1]["replicates"]) CHECK((r == 1.0 || r.is_null()));
  // similarity:y: (a,a) 1, (b,b) 0, (a,b) 1/2
  for (const json& r : t[2]["replicates"]) CHECK((r == 1.0 || r == 0.0 || r == 0.5));

  // with decimals the replicates are rounded like the value (Python round)
  EmbeddingSimilarity r2({{"mode", "original_vs_variants"}, {"decimals", 2}}, sdk::Host());
  for (const json& r : json(aggregate(r2, items, {200, 3})[0]["replicates"]))
    CHECK(rounded_to(r.get<double>(), 2));

  // only originals: skipped, no replicates
  const json none =
      aggregate(m, {{json::object(), variant_record("a", "original", {1, 0})}}, {200, 1});
  bootstrap_checks::check_skipped_have_none(none);
}

TEST_CASE("bootstrap on the parity files (stand-in embedder), with timing") {
  const std::filesystem::path dir = parity_dir();
  if (!std::filesystem::exists(dir / "truthfulness" / "sycophancy.json") ||
      !std::filesystem::exists(dir / "robustness" / "AdvInstruction.json")) {
    MESSAGE("parity fixtures not found (set TRUSTLLM_PARITY_DIR): skipped");
    return;
  }
  Env env;
  env.host.embed_fn = letter_counts;
  EmbeddingSimilarity persona({{"mode", "persona_gap"}}, env.sdk_host);
  Evaluated persona_items;
  for (const json& it : read_json(dir / "truthfulness" / "sycophancy.json")) {
    if (it["source"] != "persona") continue;
    const json s = sample("p", it["res"], it);
    persona_items.emplace_back(s, persona.evaluate(s, env.call));
  }
  EmbeddingSimilarity variants({{"mode", "original_vs_variants"}, {"per_type", true}},
                               env.sdk_host);
  Evaluated adv_items;
  for (const json& it : read_json(dir / "robustness" / "AdvInstruction.json")) {
    const json s = sample("a", it["res"], it);
    adv_items.emplace_back(s, variants.evaluate(s, env.call));
  }
  auto run_persona = [&](const sdk::BootstrapOptions& o) {
    return aggregate(persona, persona_items, o);
  };
  auto run_variants = [&](const sdk::BootstrapOptions& o) {
    return aggregate(variants, adv_items, o);
  };
  bootstrap_checks::check_contract(run_persona);
  bootstrap_checks::check_contract(run_variants);
  bootstrap_checks::print_timing("embedding_similarity persona_gap (179 items)", run_persona);
  bootstrap_checks::print_timing(
      "embedding_similarity original_vs_variants (600 items, 50 groups, 12 entries)", run_variants);
}
