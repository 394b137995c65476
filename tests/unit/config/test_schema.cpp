// validate_and_default: messages, locations, defaults.
#include "helpers.hpp"

using namespace cfgtest;

namespace {

const json kSuite = json::parse(R"({
  "type": "object", "additionalProperties": false, "required": ["tasks"],
  "properties": {
    "suite": {"type": "string", "default": "suite", "description": "a name"},
    "seed": {"type": "integer", "minimum": 0, "default": 0},
    "tasks": {"type": "array", "minItems": 1, "items": {
      "type": "object", "additionalProperties": false, "required": ["id", "dataset"],
      "properties": {
        "id": {"type": "string", "minLength": 1},
        "limit": {"type": "integer", "minimum": 1},
        "mode": {"enum": ["greedy", "sample"], "default": "greedy"},
        "dataset": {"type": "object", "required": ["plugin"],
                    "properties": {"plugin": {"type": "string"}}},
        "metrics": {"type": "array"},
        "generation": {"type": "object", "default": {}, "properties": {
          "temperature": {"type": "number", "minimum": 0, "maximum": 2, "default": 0}}},
        "threshold": {"type": "number", "exclusiveMinimum": 0}
      }}}}})");

config::Document yaml(const std::string& text, const config::LoadOptions& o = {}) {
  return config::load_string(text, "s.yaml", o);
}

std::string check(const std::string& text, const json& schema = kSuite,
                  const config::LoadOptions& o = {}) {
  return error_of([&] {
    config::Document d = yaml(text, o);
    config::validate_and_default(d.value, schema, d, "");
  });
}

}  // namespace

TEST_CASE("the three messages of the spec, exactly") {
  TempDir dir;
  SUBCASE("unknown key in a plugin config validated as a subtree") {
    auto p = dir.write("configs/trustllm/safety.yaml",
                       "# TrustLLM safety suite\n"            // 1
                       "suite: safety\n"                      // 2
                       "seed: 7\n"                            // 3
                       "\n"                                   // 4
                       "tasks:\n"                             // 5
                       "- id: jailbreak\n"                    // 6
                       "  dataset:\n"                         // 7
                       "    plugin: trustllm.jailbreak\n"     // 8
                       "  metrics:\n"                         // 9
                       "  - plugin: trustllm.refusal\n"       // 10
                       "    config:\n"                        // 11
                       "      evaluater: longformer\n");      // 12
    config::Document d = config::load_file(p);
    const json plugin_schema = json::parse(R"({"type": "object", "additionalProperties": false,
        "properties": {"evaluator": {"enum": ["longformer", "keyword"], "default": "keyword"}}})");
    json cfg = d.value["tasks"][0]["metrics"][0]["config"];
    CHECK(error_of(dir, [&] {
            config::validate_and_default(cfg, plugin_schema, d, "/tasks/0/metrics/0/config");
          }) == "configs/trustllm/safety.yaml:12:7: tasks[0].metrics[0].config.evaluater: "
                "unknown key — did you mean 'evaluator'?");
  }
  SUBCASE("wrong type") {
    auto p = dir.write("suite.yaml",
                       "tasks:\n"                    // 1
                       "    - id: a\n"               // 2
                       "      dataset: {plugin: x}\n"  // 3
                       "    - id: b\n"               // 4
                       "      limit: ten\n"          // 5
                       "      dataset: {plugin: x}\n");
    config::Document d = config::load_file(p);
    CHECK(error_of(dir, [&] { config::validate_and_default(d.value, kSuite, d, ""); }) ==
          "suite.yaml:5:14: tasks[1].limit: expected integer, got string \"ten\" — write a whole "
          "number such as 10");
  }
  SUBCASE("missing required key points at the parent map") {
    auto p = dir.write("suite.yaml",
                       "tasks:\n"       // 1
                       "- id: a\n"      // 2
                       "  dataset:\n"   // 3
                       "    name: x\n");  // 4
    config::Document d = config::load_file(p);
    CHECK(error_of(dir, [&] { config::validate_and_default(d.value, kSuite, d, ""); }) ==
          "suite.yaml:3:3: tasks[0].dataset: missing required key 'plugin' — add plugin: <name> "
          "(see trustllm plugins)");
  }
}

TEST_CASE("defaults are filled in, recursively") {
  config::Document d = yaml("tasks:\n  - id: a\n    dataset: {plugin: x}\n  - id: b\n"
                            "    dataset: {plugin: y}\n    generation: {}\n    mode: sample\n");
  config::validate_and_default(d.value, kSuite, d, "");
  CHECK(d.value == json::parse(R"({
    "suite": "suite", "seed": 0,
    "tasks": [
      {"id": "a", "dataset": {"plugin": "x"}, "mode": "greedy", "generation": {"temperature": 0}},
      {"id": "b", "dataset": {"plugin": "y"}, "mode": "sample", "generation": {"temperature": 0}}
    ]})"));
}

TEST_CASE("defaults on a copy of a subtree leave the document alone") {
  config::Document d = yaml("model:\n  plugin: openai\n  temperature: 0.5\n");
  json cfg = d.value["model"];
  cfg.erase("plugin");
  const json schema = json::parse(R"({"type": "object", "additionalProperties": false,
      "properties": {"temperature": {"type": "number"}, "retries": {"type": "integer", "default": 3}}})");
  config::validate_and_default(cfg, schema, d, "/model");
  CHECK(cfg == json::parse(R"({"temperature": 0.5, "retries": 3})"));
  CHECK_FALSE(d.value["model"].contains("retries"));
}

TEST_CASE("unknown keys") {
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    limt: 5\n") ==
        "s.yaml:4:5: tasks[0].limt: unknown key — did you mean 'limit'?");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    bogus: 5\n") ==
        "s.yaml:4:5: tasks[0].bogus: unknown key — remove it or use one of: dataset, generation, "
        "id, limit, metrics, mode, threshold");
  CHECK(check("taks:\n  - id: a\n") == "s.yaml:1:1: taks: unknown key — did you mean 'tasks'?");
  CHECK(check("x: 1\n", json::parse(R"({"type": "object", "additionalProperties": false})")) ==
        "s.yaml:1:1: x: unknown key — remove it (this map takes no keys)");
  // The first problem in the file is reported, whatever the key order of the JSON object.
  CHECK(check("zeta: 1\nalpha: 2\n",
              json::parse(R"({"type": "object", "additionalProperties": false})")) ==
        "s.yaml:1:1: zeta: unknown key — remove it (this map takes no keys)");
}

TEST_CASE("required, enum, bounds, lengths") {
  CHECK(check("suite: x\n") ==
        "s.yaml:1:1: (top level): missing required key 'tasks' — add tasks: [...]");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    mode: gready\n") ==
        "s.yaml:4:11: tasks[0].mode: \"gready\" is not an allowed value — did you mean 'greedy'? "
        "(allowed: greedy, sample)");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    mode: zzz\n") ==
        "s.yaml:4:11: tasks[0].mode: \"zzz\" is not an allowed value — use one of: greedy, sample");
  CHECK(check("seed: -1\ntasks: [{id: a, dataset: {plugin: x}}]\n") ==
        "s.yaml:1:7: seed: must be at least 0, got -1 — use a value of 0 or more");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    generation: {temperature: 3}\n") ==
        "s.yaml:4:31: tasks[0].generation.temperature: must be at most 2, got 3 — use a value of "
        "2 or less");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    threshold: 0\n") ==
        "s.yaml:4:16: tasks[0].threshold: must be greater than 0, got 0 — use a value above 0");
  CHECK(check("tasks:\n  - id: \"\"\n    dataset: {plugin: x}\n") ==
        "s.yaml:2:9: tasks[0].id: must not be empty — write a non-empty value");
  CHECK(check("tasks: []\n") ==
        "s.yaml:1:8: tasks: must not be an empty list — add at least one item");
  CHECK(check("tasks:\n  - id: a\n    dataset: {plugin: x}\n    limit:\n") ==
        "s.yaml:4:5: tasks[0].limit: expected integer, got null (empty value) — write a whole "
        "number such as 10");
  CHECK(check("tasks:\n  - id: a\n") ==
        "s.yaml:2:5: tasks[0]: missing required key 'dataset' — add dataset: {...}");

  const json misc = json::parse(R"({"type": "object", "properties": {
      "id": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
      "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "minItems": 2,
               "maxItems": 2},
      "p": {"type": "number", "exclusiveMaximum": 1},
      "v": {"const": 1},
      "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}})");
  CHECK(check("id: A1\n", misc) ==
        "s.yaml:1:5: id: \"A1\" does not match the pattern ^[a-z]+$ — write a value that matches "
        "^[a-z]+$");
  CHECK(check("id: abcdefg\n", misc) ==
        "s.yaml:1:5: id: must be at most 5 characters long, got 7 — shorten it");
  CHECK(check("pair: [a]\n", misc) ==
        "s.yaml:1:7: pair: must have at least 2 items, got 1 — add more items");
  CHECK(check("pair: [a, b, c]\n", misc) ==
        "s.yaml:1:7: pair: must have at most 2 items, got 3 — remove some items");
  CHECK(check("pair: [a, b]\n", misc) ==
        "s.yaml:1:11: pair[1]: expected integer, got string \"b\" — write a whole number such as 10");
  CHECK(check("p: 1\n", misc) == "s.yaml:1:4: p: must be less than 1, got 1 — use a value below 1");
  CHECK(check("v: 2\n", misc) == "s.yaml:1:4: v: must be 1, got integer 2 — write 1");
  CHECK(check("counts:\n  a: 1\n  b: x\n", misc) ==
        "s.yaml:3:6: counts.b: expected integer, got string \"x\" — write a whole number such as 10");
  config::Document ok = yaml("id: abc\npair: [a, 2]\np: 0.5\nv: 1\ncounts: {a: 1}\n");
  CHECK_NOTHROW(config::validate_and_default(ok.value, misc, ok, ""));
}

TEST_CASE("type messages and advice") {
  const json s = json::parse(R"({"type": "object", "properties": {
      "name": {"type": "string"}, "flag": {"type": "boolean"},
      "either": {"type": ["string", "integer"]}, "count": {"type": "integer"},
      "api_key": {"type": "string"}, "from_env": {"type": "integer"}, "whole": {"type": "integer"},
      "list": {"type": "array"}, "map": {"type": "object"}}})");
  CHECK(check("name: 5\n", s) ==
        "s.yaml:1:7: name: expected string, got integer 5 — put it in quotes to keep it as text: "
        "\"5\"");
  CHECK(check("flag: yes\n", s) ==
        "s.yaml:1:7: flag: expected boolean, got string \"yes\" — write true or false "
        "(yes/no/on/off are text in YAML 1.2)");
  CHECK(check("either: [1]\n", s) ==
        "s.yaml:1:9: either: expected string or integer, got list — use a string or an integer");
  CHECK(check("count: \"10\"\n", s) ==
        "s.yaml:1:8: count: expected integer, got string \"10\" — remove the quotes: 10");
  CHECK(check("api_key: 12345\n", s) ==
        "s.yaml:1:10: api_key: expected string, got integer (value hidden) — put it in quotes to "
        "keep it as text");
  CHECK(check("from_env: \"${N}\"\n", s, env({{"N", "abc"}})) ==
        "s.yaml:1:11: from_env: expected integer, got string (value hidden) — write a whole "
        "number such as 10");
  CHECK(check("list: x\n", s) ==
        "s.yaml:1:7: list: expected list, got string \"x\" — write a list such as [a, b] or one "
        "'- item' per line");
  CHECK(check("map: [1]\n", s) ==
        "s.yaml:1:6: map: expected map, got list — write a map of key: value pairs");
  config::Document d = yaml("whole: 10.0\n");
  CHECK_NOTHROW(config::validate_and_default(d.value, s, d, ""));  // 10.0 is a whole number
  CHECK(check("whole: 2.5\n", s) ==
        "s.yaml:1:8: whole: expected integer, got number 2.5 — write a whole number such as 10");
}

TEST_CASE("oneOf / anyOf / boolean schemas") {
  const json s = json::parse(R"({"type": "object", "properties": {
      "x": {"oneOf": [{"type": "string"},
                      {"type": "object", "required": ["name"],
                       "properties": {"name": {"type": "string"}}}]},
      "y": {"anyOf": [{"type": "null"},
                      {"type": "object", "properties": {"k": {"default": 1}}}]},
      "z": false}})");
  CHECK(check("x: 5\n", s) ==
        "s.yaml:1:4: x: expected string or map, got integer 5 — use a string or a map");
  CHECK(check("x: {other: 1}\n", s) ==
        "s.yaml:1:1: x: missing required key 'name' — add name: <text>");
  CHECK(check("z: 1\n", s) == "s.yaml:1:4: z: is not allowed here — remove it");
  config::Document d = yaml("x: hi\ny: {}\n");
  config::validate_and_default(d.value, s, d, "");
  CHECK(d.value["y"] == json::parse(R"({"k": 1})"));
  config::Document d2 = yaml("x: {name: n}\ny:\n");
  config::validate_and_default(d2.value, s, d2, "");
  CHECK(d2.value["y"].is_null());
}
