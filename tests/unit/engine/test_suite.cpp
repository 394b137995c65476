// load_suite (suite.hpp) on YAML written to a scratch folder, resolved against the real plugins.
#include <trustllm/engine/suite.hpp>

#include <doctest/doctest.h>

#include <string>

#include "helpers.hpp"

using namespace enginetest;
using trustllm::config::ConfigError;
using trustllm::engine::load_suite;
using trustllm::engine::Suite;
using trustllm::engine::SuiteOptions;

namespace {

// A model file for llama2c; the files need not exist (plugins are not created while loading).
std::string model_file(const std::string& name) {
  return "plugin: llama2c\ncheckpoint: /nonexistent/stories260K.bin\n"
         "tokenizer: /nonexistent/tok512.bin\nmodel_name: " +
         name + "\n";
}

const char* kTwoTasks = R"(tasks:
  - id: first
    dimension: safety
    dataset: {plugin: synthetic, count: 5}
    metrics: [{plugin: refusal_rate}]
  - id: second
    dataset: {plugin: synthetic}
    metrics:
      - plugin: refusal_rate
        direction: lower_is_better
)";

bool same_file(const std::string& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(fs::path(a), b, ec);
}

template <typename Fn>
ConfigError config_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  return ConfigError("unreachable");
}

}  // namespace

TEST_CASE("load_suite: tasks, plugins and config defaults from the plugins' schemas") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", std::string("suite: demo\nseed: 7\n") + kTwoTasks);
  Suite s = load_suite(suite, registry(), {});
  CHECK(s.name == "demo");
  CHECK(s.seed == 7);
  CHECK(fs::equivalent(s.file, suite));
  REQUIRE(s.tasks.size() == 2);
  CHECK(s.tasks[0].id == "first");
  CHECK(s.tasks[0].dimension == "safety");
  CHECK(s.tasks[1].dimension == "");
  CHECK(s.roles.empty());

  const auto& ds = s.tasks[0].dataset;
  CHECK(ds.plugin == "synthetic");
  CHECK(ds.pointer == "/tasks/0/dataset");
  CHECK(same_file(ds.file, suite));
  CHECK_FALSE(ds.config.contains("plugin"));  // the host's key is not the plugin's config
  CHECK(ds.config.at("count") == 5);
  CHECK(ds.config.at("max_tokens") == 16);  // synthetic's default
  CHECK(s.tasks[1].dataset.config.at("count") == 100);

  REQUIRE(s.tasks[0].metrics.size() == 1);
  const auto& m0 = s.tasks[0].metrics[0];
  CHECK(m0.plugin == "refusal_rate");
  CHECK_FALSE(m0.config.contains("plugin"));
  CHECK(m0.config.at("evaluator") == "keyword");
  CHECK(m0.config.at("metric") == "rta");
  CHECK(m0.config.at("direction") == "higher_is_better");
  CHECK(m0.config.at("use_recorded") == true);
  // A value given in the suite wins over the default.
  CHECK(s.tasks[1].metrics[0].config.at("direction") == "lower_is_better");
  CHECK(s.tasks[1].metrics[0].pointer == "/tasks/1/metrics/0");
}

TEST_CASE("load_suite: plugin configs are validated against the plugin's schema") {
  TempDir dir;
  SUBCASE("a value outside the enum") {
    const fs::path suite = dir.write("suite.yaml", R"(tasks:
  - id: t
    dataset: {plugin: synthetic}
    metrics:
      - plugin: refusal_rate
        evaluator: oracle
)");
    ConfigError e = config_error_of([&] { load_suite(suite, registry(), {}); });
    CHECK(e.line() == 6);
    CHECK(std::string(e.what()).find("evaluator") != std::string::npos);
  }
  SUBCASE("an unknown plugin, with a suggestion") {
    const fs::path suite = dir.write("suite.yaml", R"(tasks:
  - id: t
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rat}]
)");
    ConfigError e = config_error_of([&] { load_suite(suite, registry(), {}); });
    CHECK(e.line() == 4);
    CHECK(std::string(e.what()).find("refusal_rate") != std::string::npos);
  }
}

TEST_CASE("load_suite: duplicate task ids name the id and the line") {
  TempDir dir;
  const fs::path suite = dir.write("dup.yaml", R"(tasks:
  - id: same
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rate}]
  - id: other
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rate}]
  - id: same
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rate}]
)");
  ConfigError e = config_error_of([&] { load_suite(suite, registry(), {}); });
  const std::string msg = e.what();
  CAPTURE(msg);
  CHECK(e.exit_code() == 2);
  CHECK(msg.find("'same'") != std::string::npos);
  CHECK(msg.find("twice") != std::string::npos);
  CHECK(e.line() == 8);  // the second occurrence
  CHECK(same_file(e.file(), suite));
  CHECK(msg.find("dup.yaml:8:") != std::string::npos);
  CHECK(e.key_path() == "tasks[2].id");
}

TEST_CASE("load_suite: suite-level limit and generation are inherited; per-task values win") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", R"(limit: 50
generation: {temperature: 0.5, max_tokens: 64}
tasks:
  - id: inherits
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rate}]
  - id: overrides
    limit: 5
    generation: {max_tokens: 8, top_p: 0.9}
    dataset: {plugin: synthetic}
    metrics: [{plugin: refusal_rate}]
)");
  Suite s = load_suite(suite, registry(), {});
  REQUIRE(s.tasks.size() == 2);
  REQUIRE(s.tasks[0].limit.has_value());
  CHECK(*s.tasks[0].limit == 50);
  CHECK(s.tasks[0].generation == json{{"temperature", 0.5}, {"max_tokens", 64}});
  REQUIRE(s.tasks[1].limit.has_value());
  CHECK(*s.tasks[1].limit == 5);
  CHECK(s.tasks[1].generation == json{{"temperature", 0.5}, {"max_tokens", 8}, {"top_p", 0.9}});

  // Without a suite-level limit, a task has none.
  const fs::path plain = dir.write("plain.yaml", kTwoTasks);
  Suite p = load_suite(plain, registry(), {});
  CHECK_FALSE(p.tasks[0].limit.has_value());
  CHECK(p.tasks[0].generation == json::object());
}

TEST_CASE("load_suite: --set overrides are applied before validation") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", std::string("seed: 1\n") + kTwoTasks);
  SuiteOptions o;
  o.overrides = {"seed=42", "tasks.0.limit=3", "tasks.1.metrics.0.evaluator=judge",
                 "tasks.0.dataset.count=12", "generation.temperature=0.7"};
  Suite s = load_suite(suite, registry(), o);
  CHECK(s.seed == 42);
  REQUIRE(s.tasks[0].limit.has_value());
  CHECK(*s.tasks[0].limit == 3);
  CHECK_FALSE(s.tasks[1].limit.has_value());
  CHECK(s.tasks[1].metrics[0].config.at("evaluator") == "judge");
  CHECK(s.tasks[0].dataset.config.at("count") == 12);
  CHECK(s.tasks[0].generation.at("temperature") == 0.7);
  CHECK(s.tasks[1].generation.at("temperature") == 0.7);

  // An override is validated like the file: an invalid value is a ConfigError.
  SuiteOptions bad;
  bad.overrides = {"tasks.0.metrics.0.evaluator=oracle"};
  CHECK_THROWS_AS(load_suite(suite, registry(), bad), ConfigError);
}

TEST_CASE("load_suite: roles are bound by paths relative to the file that names them") {
  TempDir dir;
  // suites/main.yaml names `model` (relative to suites/) and includes common/deep/base.yaml,
  // which names `judge` relative to common/deep/. Decoys sit where a path relative to the
  // wrong file would land.
  dir.write("models/a.yaml", model_file("model-a"));
  dir.write("common/deep/judge.yaml", model_file("judge-from-include"));
  dir.write("suites/judge.yaml", model_file("decoy-next-to-suite"));
  dir.write("common/deep/base.yaml", "roles:\n  judge: judge.yaml\n");
  const fs::path suite = dir.write("suites/main.yaml", std::string(R"(include: ../common/deep/base.yaml
roles:
  model: ../models/a.yaml
)") + kTwoTasks);
  Suite s = load_suite(suite, registry(), {});
  REQUIRE(s.roles.size() == 2);
  REQUIRE(s.roles.count("model") == 1);
  REQUIRE(s.roles.count("judge") == 1);

  const auto& model = s.roles.at("model");
  CHECK(model.role == "model");
  CHECK(model.model.plugin == "llama2c");
  CHECK(model.model.config.at("model_name") == "model-a");
  CHECK(same_file(model.source, dir.path() / "models/a.yaml"));
  // llama2c's defaults were filled in; the host's keys are not in the plugin's config.
  CHECK(model.model.config.at("top_p") == 1.0);
  CHECK(model.model.config.at("max_tokens_cap") == 0);

  const auto& judge = s.roles.at("judge");
  CHECK(judge.role == "judge");
  CHECK(judge.model.config.at("model_name") == "judge-from-include");
  CHECK(same_file(judge.source, dir.path() / "common/deep/judge.yaml"));
}

TEST_CASE("load_suite: a missing model file is a ConfigError naming the role's line") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", std::string("roles:\n  model: nope.yaml\n") + kTwoTasks);
  ConfigError e = config_error_of([&] { load_suite(suite, registry(), {}); });
  CHECK(e.line() == 2);
  CHECK(std::string(e.what()).find("nope.yaml") != std::string::npos);
}

TEST_CASE("load_suite: role files from the command line replace the suite's binding") {
  TempDir dir;
  dir.write("models/b.yaml", model_file("from-command-line"));
  dir.write("models/extra.yaml", model_file("extra-role"));
  // The suite's own binding points nowhere: it must not even be read when overridden.
  const fs::path suite =
      dir.write("suite.yaml", std::string("roles:\n  model: missing.yaml\n") + kTwoTasks);
  SuiteOptions o;
  o.role_files["model"] = dir.path() / "models/b.yaml";
  o.role_files["refusal_classifier"] = dir.path() / "models/extra.yaml";
  Suite s = load_suite(suite, registry(), o);
  REQUIRE(s.roles.size() == 2);
  CHECK(s.roles.at("model").model.config.at("model_name") == "from-command-line");
  CHECK(same_file(s.roles.at("model").source, dir.path() / "models/b.yaml"));
  CHECK(s.roles.at("refusal_classifier").role == "refusal_classifier");
  CHECK(s.roles.at("refusal_classifier").model.config.at("model_name") == "extra-role");

  // A role file that does not exist is a ConfigError.
  SuiteOptions missing;
  missing.role_files["model"] = dir.path() / "models/none.yaml";
  CHECK_THROWS_AS(load_suite(suite, registry(), missing), ConfigError);
}

TEST_CASE("load_suite: host keys of a role (retry, max_concurrency, request_timeout)") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", std::string(R"(roles:
  model:
    plugin: openai
    base_url: http://127.0.0.1:1/v1
    model: m
    max_concurrency: 3
    request_timeout: 2.5
    retry: {max_attempts: 2, base_delay: 0.25}
)") + kTwoTasks);
  Suite s = load_suite(suite, registry(), {});
  const auto& b = s.roles.at("model");
  CHECK(b.max_concurrency == 3);
  CHECK(b.retry.max_attempts == 2);
  CHECK(b.retry.base_delay == 0.25);
  CHECK(b.retry.max_delay == 30.0);  // default of the retry block
  CHECK(b.retry.request_timeout == 2.5);
  // They are the host's: not passed to the plugin.
  CHECK_FALSE(b.model.config.contains("max_concurrency"));
  CHECK_FALSE(b.model.config.contains("retry"));
  CHECK_FALSE(b.model.config.contains("request_timeout"));
  CHECK_FALSE(b.model.config.contains("plugin"));
  CHECK(b.model.config.at("timeout") == 120);  // openai's default
}

TEST_CASE("load_suite: secrets are redacted in resolved_redacted") {
  TempDir dir;
  const fs::path suite = dir.write("suite.yaml", std::string(R"(roles:
  model:
    plugin: openai
    base_url: ${SECRET_BASE_URL}
    model: visible-model
    headers:
      api_key: sk-literal-0123456789
      X-Trace: visible-header
)") + kTwoTasks);
  SuiteOptions o;
  o.variables["SECRET_BASE_URL"] = "http://hidden-host.example:9/v1";
  Suite s = load_suite(suite, registry(), o);

  const json& r = s.resolved_redacted;
  const json& role = r.at("roles").at("model");
  CHECK(role.at("base_url") == "***");                     // came from ${VAR}
  CHECK(role.at("headers").at("api_key") == "***");        // a secret key
  CHECK(role.at("headers").at("X-Trace") == "visible-header");
  CHECK(role.at("model") == "visible-model");
  const std::string dumped = r.dump();
  CHECK(dumped.find("hidden-host") == std::string::npos);
  CHECK(dumped.find("sk-literal") == std::string::npos);
  // The rest of the suite is there.
  CHECK(r.at("tasks").size() == 2);
  CHECK(r.at("tasks")[0].at("id") == "first");

  // The binding keeps the real values for the plugin, and its own redacted copy.
  const auto& b = s.roles.at("model");
  CHECK(b.model.config.at("base_url") == "http://hidden-host.example:9/v1");
  CHECK(b.model.config.at("headers").at("api_key") == "sk-literal-0123456789");
  CHECK(b.redacted.at("base_url") == "***");
  CHECK(b.redacted.at("headers").at("api_key") == "***");
  CHECK(b.redacted.at("model") == "visible-model");
}

TEST_CASE("load_suite: a missing suite file is a ConfigError") {
  TempDir dir;
  CHECK_THROWS_AS(load_suite(dir.path() / "absent.yaml", registry(), {}), ConfigError);
}
