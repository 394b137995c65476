// --set overrides.
#include "helpers.hpp"

using namespace cfgtest;

namespace {
config::Document sample(const TempDir& dir) {
  return config::load_file(dir.write("suite.yaml",
                                     "tasks:\n"
                                     "  - id: a\n"
                                     "    limit: 1\n"
                                     "  - id: b\n"
                                     "generation:\n"
                                     "  temperature: 0\n"
                                     "empty:\n"
                                     "secret: ${TOKEN}\n"),
                           env({{"TOKEN", "t0k"}}));
}
}  // namespace

TEST_CASE("--set on maps and lists, values typed as YAML") {
  TempDir dir;
  config::Document d = sample(dir);
  config::apply_override(d, "tasks.0.limit=5");
  config::apply_override(d, "tasks.1.limit=true");
  config::apply_override(d, "generation.temperature=0.7");
  config::apply_override(d, "generation.stop=[a, b]");
  config::apply_override(d, "generation.model=gpt-4o");
  config::apply_override(d, "new.deep.key=x");
  config::apply_override(d, "empty.child=1");
  config::apply_override(d, "tasks.1.opts={k: v}");
  config::apply_override(d, "tasks.0.id=");
  config::apply_override(d, "secret=plain");
  CHECK(d.value["tasks"][0]["limit"] == 5);
  CHECK(d.value["tasks"][0]["limit"].is_number_integer());
  CHECK(d.value["tasks"][1]["limit"] == true);
  CHECK(d.value["generation"]["temperature"].get<double>() == doctest::Approx(0.7));
  CHECK(d.value["generation"]["stop"] == json::parse(R"(["a", "b"])"));
  CHECK(d.value["generation"]["model"] == "gpt-4o");
  CHECK(d.value["new"] == json::parse(R"({"deep": {"key": "x"}})"));
  CHECK(d.value["empty"] == json::parse(R"({"child": 1})"));
  CHECK(d.value["tasks"][1]["opts"] == json::parse(R"({"k": "v"})"));
  CHECK(d.value["tasks"][0]["id"].is_null());
  CHECK(d.where("/tasks/0/limit").file == "--set");
  CHECK(d.where("/generation/stop/1").file == "--set");
  CHECK(d.where("/new/deep").file == "--set");
  CHECK(dir.rel(d.locate("/generation")) == "suite.yaml:6:3");
  CHECK_FALSE(d.is_interpolated("/secret"));  // replaced by a literal value
}

TEST_CASE("--set to a whole list element and whole list") {
  TempDir dir;
  config::Document d = sample(dir);
  config::apply_override(d, "tasks.1=replaced");
  CHECK(d.value["tasks"][1] == "replaced");
  config::apply_override(d, "tasks=[]");
  CHECK(d.value["tasks"] == json::array());
  CHECK(d.locations.count("/tasks/0/limit") == 0);
}

TEST_CASE("--set errors") {
  TempDir dir;
  config::Document d = sample(dir);
  const json before = d.value;
  CHECK(error_of([&] { config::apply_override(d, "tasks.5.limit=1"); }) ==
        "--set: tasks: list index 5 is out of range (the list has 2 items) — use an index from 0 "
        "to 1");
  CHECK(error_of([&] { config::apply_override(d, "tasks.x=1"); }) ==
        "--set: tasks: is a list, so 'x' must be an index — use an index from 0 to 1");
  CHECK(error_of([&] { config::apply_override(d, "tasks.0.id.x=1"); }) ==
        "--set: tasks[0].id: is string \"a\", not a map or list, so tasks.0.id.x cannot be set — "
        "set tasks.0.id itself or fix the path");
  CHECK(error_of([&] { config::apply_override(d, "secret.x=1"); }) ==
        "--set: secret: is string (value hidden), not a map or list, so secret.x cannot be set — "
        "set secret itself or fix the path");
  CHECK(error_of([&] { config::apply_override(d, "nokey"); }) ==
        "--set: expected key.path=value, got 'nokey' — write e.g. --set tasks.0.limit=5");
  CHECK(error_of([&] { config::apply_override(d, "a..b=1"); }) ==
        "--set: a..b: empty key in the path — separate keys with single dots, e.g. tasks.0.limit");
  CHECK(error_of([&] { config::apply_override(d, "=1"); }) ==
        "--set: missing key path before '=' — write e.g. --set tasks.0.limit=5");
  CHECK(error_of([&] { config::apply_override(d, "a.b=[1, 2"); }) ==
        "--set: a.b: invalid value '[1, 2': end of sequence flow not found — quote the value, "
        "e.g. --set 'a.b=\"[1, 2\"'");
  config::apply_override(d, "tasks=[]");
  CHECK(error_of([&] { config::apply_override(d, "tasks.0.limit=1"); }) ==
        "--set: tasks: list index 0 is out of range (the list has 0 items) — the list is empty; "
        "set the whole list instead, e.g. --set tasks=[...]");
  try {
    config::apply_override(d, "tasks.0=1");
  } catch (const config::ConfigError& e) {
    CHECK(e.file() == "--set");
    CHECK(e.exit_code() == 2);
  }
  d.value["tasks"] = before["tasks"];
  CHECK(d.value == before);  // failed overrides change nothing
}

TEST_CASE("--set values are reported as --set by the validator") {
  TempDir dir;
  config::Document d = sample(dir);
  config::apply_override(d, "tasks.0.limit=ten");
  const json schema = json::parse(R"({"type": "object", "properties": {"tasks": {"type": "array",
      "items": {"type": "object", "properties": {"limit": {"type": "integer"}}}}}})");
  CHECK(error_of([&] { config::validate_and_default(d.value, schema, d, ""); }) ==
        "--set: tasks[0].limit: expected integer, got string \"ten\" — write a whole number such "
        "as 10");
}
