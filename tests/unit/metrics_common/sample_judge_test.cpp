// Unit tests of trustllm::metrics (sample.hpp) and trustllm::judge (judge.hpp): sample access,
// JSON pointers, config helpers, summary entries, prompt templates and judge calls through a
// fake host.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "trustllm_metrics/judge.hpp"
#include "trustllm_metrics/sample.hpp"

namespace m = trustllm::metrics;
namespace jd = trustllm::judge;
namespace sdk = trustllm::sdk;
using json = nlohmann::json;

namespace {

// ---- a fake host answering model calls ------------------------------------------------------

struct FakeModel {
  tlm_status status = TLM_OK;
  std::string reply = R"({"text":"Yes."})";
  std::vector<std::pair<std::string, json>> calls;
};
FakeModel* g_model = nullptr;

tlm_status fake_call_model(tlm_call*, tlm_str role, tlm_str req, tlm_sink* out) {
  g_model->calls.emplace_back(std::string(role.data, role.size),
                              json::parse(std::string(req.data, req.size)));
  out->emit(out->ctx, tlm_str{g_model->reply.data(), g_model->reply.size()});
  return g_model->status;
}

struct Env {
  FakeModel model;
  tlm_host_api api{};
  sdk::Host host;
  sdk::Call call{host, nullptr};
  Env() {
    api.struct_size = sizeof(tlm_host_api);
    api.abi_major = TLM_ABI_MAJOR;
    api.abi_minor = TLM_ABI_MINOR;
    api.call_model = fake_call_model;
    host = sdk::Host(&api, "test");
    g_model = &model;
  }
  ~Env() { g_model = nullptr; }
};

json make_sample(const json& response, json fields) {
  return json{{"task", "t"},          {"id", "item-7"},      {"prompt", "Q?"},
              {"response", response}, {"response_meta", {}}, {"fields", std::move(fields)}};
}

}  // namespace

TEST_CASE("sample access") {
  const json s = make_sample("ans", {{"label", "yes"}, {"eval_res", nullptr}});
  CHECK(m::fields_of(s)["label"] == "yes");
  CHECK(m::fields_of(json::object()).empty());
  REQUIRE(m::response_of(s) != nullptr);
  CHECK(*m::response_of(s) == "ans");
  CHECK(m::response_of(make_sample(nullptr, {})) == nullptr);
  CHECK(m::response_of(json{{"id", 1}}) == nullptr);
  CHECK_THROWS_AS(m::response_of(make_sample(5, {})), sdk::Error);
  CHECK(m::item_id(s) == "item-7");
  CHECK(m::item_id(json{{"id", 12}}) == "12");
  CHECK(m::item_id(json::object()) == "?");
  REQUIRE(m::recorded_eval(s) != nullptr);
  CHECK(m::recorded_eval(s)->is_null());
  CHECK(m::recorded_eval(make_sample("a", {{"label", 1}})) == nullptr);
}

TEST_CASE("JSON pointers") {
  const json doc = {{"a", {{"b", json::array({10, 20})}}}, {"x~y", 1}, {"s/t", 2}};
  CHECK(*m::resolve(doc, json::json_pointer("/a/b/1")) == 20);
  CHECK(*m::resolve(doc, json::json_pointer("/x~0y")) == 1);
  CHECK(*m::resolve(doc, json::json_pointer("/s~1t")) == 2);
  CHECK(m::resolve(doc, json::json_pointer("")) == &doc);
  CHECK(m::resolve(doc, json::json_pointer("/a/b/2")) == nullptr);
  CHECK(m::resolve(doc, json::json_pointer("/a/b/x")) == nullptr);
  CHECK(m::resolve(doc, json::json_pointer("/a/b/01")) == nullptr);
  CHECK(m::resolve(doc, json::json_pointer("/a/c")) == nullptr);
  CHECK(m::resolve(doc, json::json_pointer("/x~0y/z")) == nullptr);
  CHECK(m::parse_pointer("/label/0", "/group") == json::json_pointer("/label/0"));
  CHECK_THROWS_AS(m::parse_pointer(3, "/group"), sdk::Error);
  CHECK_THROWS_AS(m::parse_pointer("label", "/group"), sdk::Error);
}

TEST_CASE("group names and records") {
  CHECK(m::group_name("race") == "race");
  CHECK(m::group_name(3) == "3");
  CHECK(m::group_name(json::array({"a"})) == "[\"a\"]");
  CHECK(m::group_name(nullptr) == "");
  CHECK(m::excluded_record("no answer") == json{{"excluded", true}, {"reason", "no answer"}});
  CHECK(m::metric_ok("x.acc", 0.5, 4, "higher_is_better") == json{{"metric", "x.acc"},
                                                                  {"value", 0.5},
                                                                  {"n", 4},
                                                                  {"direction", "higher_is_better"},
                                                                  {"status", "ok"}});
  CHECK(m::metric_skipped("x.acc", "no items", 0, "lower_is_better") ==
        json{{"metric", "x.acc"},
             {"value", nullptr},
             {"n", 0},
             {"direction", "lower_is_better"},
             {"status", "skipped"},
             {"reason", "no items"}});
}

TEST_CASE("config helpers") {
  const json cfg = {{"name", "x"}, {"flag", true}, {"n", 5}, {"neg", -2}};
  CHECK(m::get_string(cfg, "name", "d") == "x");
  CHECK(m::get_string(cfg, "missing", "d") == "d");
  CHECK_THROWS_AS(m::get_string(cfg, "n", "d"), sdk::Error);
  CHECK(m::get_bool(cfg, "flag", false));
  CHECK(m::get_bool(cfg, "missing", true));
  CHECK_THROWS_AS(m::get_bool(cfg, "name", false), sdk::Error);
  CHECK(m::get_int(cfg, "n", 1, 1, 10) == 5);
  CHECK(m::get_int(cfg, "missing", 7, 1, 10) == 7);
  CHECK(m::get_int(cfg, "neg", 0, -5, 5) == -2);
  CHECK_THROWS_AS(m::get_int(cfg, "n", 1, 1, 4), sdk::Error);
  CHECK_THROWS_AS(m::get_int(json{{"n", 1.5}}, "n", 1, 1, 4), sdk::Error);
  CHECK_NOTHROW(m::check_keys(cfg, {"name", "flag", "n", "neg"}));
  CHECK_NOTHROW(m::check_keys(json::object(), {"name"}));
  try {
    m::check_keys(cfg, {"name", "flag", "n"});
    FAIL("expected a config error");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == TLM_E_CONFIG);
    CHECK(std::string(e.what()) == "/neg: unknown key (allowed: name, flag, n)");
  }
}

TEST_CASE("Template: parse and render") {
  const json s = make_sample("It is {fine}.", {{"answers", json::array({"a", "b"})},
                                               {"q", "it's"},
                                               {"n", 3},
                                               {"none", nullptr},
                                               {"nested", {{"k", json::array({1, "x"})}}}});
  auto t = jd::Template::parse(
      "Q: {prompt} A: {response} Gold: {field:answers} [{field:q}] {field:n} {field:none} "
      "{field:/nested/k/1} {first}/{second} {not a name} {\"json\": 1} {",
      "/prompt", {"first", "second"});
  CHECK(t.render(s, {{"first", "1"}, {"second", "{response}"}}) ==
        "Q: Q? A: It is {fine}. Gold: ['a', 'b'] [it's] 3 None x 1/{response} {not a name} "
        "{\"json\": 1} {");
  // a null response renders as ""
  auto r = jd::Template::parse("[{response}]", "/p");
  CHECK(r.render(make_sample(nullptr, {})) == "[]");
  CHECK(r.text() == "[{response}]");
  // a field the item lacks is an input error naming the item
  auto f = jd::Template::parse("{field:missing}", "/p");
  CHECK_THROWS_AS(f.render(s), sdk::Error);
  // a whole list field inside a list renders in repr form
  auto n = jd::Template::parse("{field:nested}", "/p");
  CHECK(n.render(s) == "{'k': [1, 'x']}");
}

TEST_CASE("Template: configuration errors") {
  CHECK_THROWS_AS(jd::Template::parse("", "/prompt"), sdk::Error);
  try {
    jd::Template::parse("Hello {name}", "/judge_prompt", {"first"});
    FAIL("expected a config error");
  } catch (const sdk::Error& e) {
    CHECK(e.status() == TLM_E_CONFIG);
    CHECK(std::string(e.what()).rfind("/judge_prompt: unknown placeholder {name}", 0) == 0);
  }
  CHECK_THROWS_AS(jd::Template::parse("{field:}", "/p"), sdk::Error);
  CHECK_NOTHROW(jd::Template::parse("{name}", "/p", {"name"}));
}

TEST_CASE("ask sends one chat message and reads text") {
  Env env;
  env.model.reply = R"({"text":"Yes, it is."})";
  jd::Reply r = jd::ask(env.call, "Is it?", 16);
  REQUIRE(r.reply.has_value());
  CHECK(*r.reply == "Yes, it is.");
  CHECK_FALSE(r.recorded);
  REQUIRE(env.model.calls.size() == 1);
  CHECK(env.model.calls[0].first == "judge");
  CHECK(env.model.calls[0].second ==
        json{{"op", "chat"},
             {"messages", json::array({{{"role", "user"}, {"content", "Is it?"}}})},
             {"temperature", 0},
             {"max_tokens", 16}});
  CHECK(jd::reply_record(r) == json{{"judge_reply", "Yes, it is."}, {"evaluator", "judge"}});

  env.model.reply = R"({"text":null})";
  CHECK_FALSE(jd::ask(env.call, "x", 8, "grader").reply.has_value());
  CHECK(env.model.calls.back().first == "grader");
  env.model.reply = R"({"other":1})";
  CHECK_FALSE(jd::ask(env.call, "x", 8).reply.has_value());

  env.model.status = TLM_E_RETRYABLE;
  env.model.reply = "rate limited";
  CHECK_THROWS_AS(jd::ask(env.call, "x", 8), sdk::Error);
}

TEST_CASE("ask_or_recorded uses fields.eval_res when allowed") {
  Env env;
  const json rec = make_sample("r", {{"eval_res", "No."}});
  jd::Reply r = jd::ask_or_recorded(rec, env.call, "p", 8, true);
  CHECK(r.recorded);
  CHECK(*r.reply == "No.");
  CHECK(env.model.calls.empty());
  CHECK(jd::reply_record(r) == json{{"judge_reply", "No."}, {"evaluator", "recorded"}});

  jd::Reply failed =
      jd::ask_or_recorded(make_sample("r", {{"eval_res", nullptr}}), env.call, "p", 8, true);
  CHECK(failed.recorded);
  CHECK_FALSE(failed.reply.has_value());
  CHECK(jd::reply_record(failed) == json{{"judge_reply", nullptr}, {"evaluator", "recorded"}});
  CHECK(env.model.calls.empty());

  jd::Reply asked = jd::ask_or_recorded(rec, env.call, "p", 8, false);
  CHECK_FALSE(asked.recorded);
  CHECK(*asked.reply == "Yes.");
  CHECK(env.model.calls.size() == 1);
  jd::Reply asked2 = jd::ask_or_recorded(make_sample("r", {}), env.call, "p", 8, true);
  CHECK_FALSE(asked2.recorded);
  CHECK(env.model.calls.size() == 2);
}
