// include: merging and cycles; ${VAR} interpolation.
#include "helpers.hpp"

using namespace cfgtest;

TEST_CASE("include: deep-merges included files under the file's own keys") {
  TempDir dir;
  dir.write("base.yaml",
            "suite: base\n"          // 1
            "generation:\n"          // 2
            "  temperature: 0\n"     // 3
            "  max_tokens: 100\n"    // 4
            "tasks:\n"               // 5
            "  - id: from_base\n");  // 6
  auto p = dir.write("suite.yaml",
                     "include: base.yaml\n"  // 1
                     "generation:\n"         // 2
                     "  max_tokens: 256\n"   // 3
                     "suite: mine\n");       // 4
  config::Document d = config::load_file(p);
  CHECK(d.value == json::parse(R"({
    "suite": "mine",
    "generation": {"temperature": 0, "max_tokens": 256},
    "tasks": [{"id": "from_base"}]})"));
  CHECK_FALSE(d.value.contains("include"));
  CHECK(dir.rel(d.locate("/tasks/0/id")) == "base.yaml:6:9");
  CHECK(dir.rel(d.locate("/generation/temperature")) == "base.yaml:3:16");
  CHECK(dir.rel(d.locate("/generation/max_tokens")) == "suite.yaml:3:15");
  CHECK(dir.rel(d.locate("/suite")) == "suite.yaml:4:8");
  CHECK(dir.rel(d.locate("")) == "suite.yaml:1:1");
  CHECK(d.locations.count("/include") == 0);
  REQUIRE(d.files.size() == 2);
  CHECK(dir.rel(d.files[1]) == "base.yaml");
}

TEST_CASE("include: a list, nested includes relative to the including file, later wins") {
  TempDir dir;
  dir.write("common/c.yaml", "x: from_c\ny: from_c\nlist: [1, 2, 3]\n");
  dir.write("common/a.yaml", "include: c.yaml\ny: from_a\nz: {k: a, keep: 1}\n");
  dir.write("common/b.yaml", "z: {k: b}\nlist: [9]\n");
  auto p = dir.write("suite.yaml", "include:\n  - common/a.yaml\n  - common/b.yaml\nown: 1\n");
  config::Document d = config::load_file(p);
  CHECK(d.value == json::parse(R"({
    "x": "from_c", "y": "from_a", "z": {"k": "b", "keep": 1}, "list": [9], "own": 1})"));
  CHECK(dir.rel(d.locate("/x")) == "common/c.yaml:1:4");
  CHECK(dir.rel(d.locate("/list/0")) == "common/b.yaml:2:8");
  CHECK(d.locations.count("/list/1") == 0);  // replaced lists leave no stale locations
  CHECK(dir.rel(d.locate("/z/keep")) == "common/a.yaml:3:17");
  CHECK(d.files.size() == 4);
}

TEST_CASE("include: lists of maps with an id merge by id (tasks of several suites)") {
  TempDir dir;
  dir.write("a.yaml", "tasks:\n  - id: t1\n    x: 1\n  - id: t2\n    x: 2\n");
  dir.write("b.yaml", "tasks:\n  - id: t3\n    x: 3\n");
  auto p = dir.write("all.yaml",
                     "include: [a.yaml, b.yaml]\n"  // 1
                     "tasks:\n"                      // 2
                     "  - id: t2\n"                  // 3
                     "    x: 22\n");                 // 4
  config::Document d = config::load_file(p);
  CHECK(d.value["tasks"] == json::parse(R"([{"id": "t1", "x": 1}, {"id": "t2", "x": 22},
                                            {"id": "t3", "x": 3}])"));
  CHECK(dir.rel(d.locate("/tasks/0/x")) == "a.yaml:3:8");
  CHECK(dir.rel(d.locate("/tasks/1/x")) == "all.yaml:4:8");
  CHECK(dir.rel(d.locate("/tasks/2/x")) == "b.yaml:3:8");
  // A list without ids is still replaced.
  dir.write("c.yaml", "tasks: [1, 2]\n");
  auto q = dir.write("d.yaml", "include: c.yaml\ntasks: [3]\n");
  CHECK(config::load_file(q).value["tasks"] == json::parse("[3]"));
}

TEST_CASE("include: cycles name the chain") {
  TempDir dir;
  dir.write("a.yaml", "include: b.yaml\nx: 1\n");
  dir.write("b.yaml", "include: [a.yaml]\n");
  CHECK(error_of(dir, [&] { config::load_file(dir.path() / "a.yaml"); }) ==
        "b.yaml:1:11: include[0]: include cycle: a.yaml -> b.yaml -> a.yaml — remove one of "
        "these includes");

  dir.write("self.yaml", "x: 1\ninclude: ./self.yaml\n");
  CHECK(error_of(dir, [&] { config::load_file(dir.path() / "self.yaml"); }) ==
        "self.yaml:2:10: include: include cycle: self.yaml -> self.yaml — remove one of these "
        "includes");
}

TEST_CASE("include: a diamond is not a cycle") {
  TempDir dir;
  dir.write("base.yaml", "x: 1\n");
  dir.write("l.yaml", "include: base.yaml\nl: 1\n");
  dir.write("r.yaml", "include: base.yaml\nr: 1\n");
  auto p = dir.write("top.yaml", "include: [l.yaml, r.yaml]\n");
  CHECK(config::load_file(p).value == json::parse(R"({"x": 1, "l": 1, "r": 1})"));
}

TEST_CASE("include: errors") {
  TempDir dir;
  SUBCASE("missing file names the including file and the path tried") {
    auto p = dir.write("suite.yaml", "x: 1\ninclude: nope/base.yaml\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "suite.yaml:2:10: include: included file not found: nope/base.yaml — fix the path; it "
          "is relative to the folder of suite.yaml");
  }
  SUBCASE("wrong type") {
    auto p = dir.write("suite.yaml", "include: 5\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "suite.yaml:1:10: include: expected a file path or a list of file paths, got integer 5 "
          "— write include: base.yaml or include: [a.yaml, b.yaml]");
  }
  SUBCASE("included file is not a map") {
    dir.write("list.yaml", "- a\n- b\n");
    auto p = dir.write("suite.yaml", "include: list.yaml\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "list.yaml:1:1: an included file must be a map at the top level — write key: value "
          "pairs at the top of the file");
  }
  SUBCASE("errors inside an included file carry its own name") {
    dir.write("broken.yaml", "a: [1\n");
    auto p = dir.write("suite.yaml", "include: broken.yaml\n");
    CHECK(dir.rel(error_of(dir, [&] { config::load_file(p); })).rfind("broken.yaml:", 0) == 0);
  }
}

TEST_CASE("${VAR} interpolation") {
  TempDir dir;
  auto p = dir.write("env.yaml",
                     "key: ${API_KEY}\n"
                     "url: \"${HOST:-localhost}:${PORT:-8080}/v1\"\n"
                     "lit: \"$${NOT_A_VAR} costs $5\"\n"
                     "n: ${COUNT:-3}\n"
                     "q: \"${COUNT:-3}\"\n"
                     "mixed: pre-${NAME}-post\n"
                     "empty_default: ${EMPTY:-fallback}\n"
                     "empty_set: ${EMPTY}\n"
                     "list:\n  - ${NAME}\n  - plain\n");
  config::Document d =
      config::load_file(p, env({{"API_KEY", "sk-123"}, {"NAME", "x"}, {"EMPTY", ""}}));
  CHECK(d.value["key"] == "sk-123");
  CHECK(d.value["url"] == "localhost:8080/v1");
  CHECK(d.value["lit"] == "${NOT_A_VAR} costs $5");
  CHECK(d.value["n"] == 3);  // plain scalars are typed after interpolation
  CHECK(d.value["q"] == "3");  // quoted ones stay text
  CHECK(d.value["mixed"] == "pre-x-post");
  CHECK(d.value["empty_default"] == "fallback");
  CHECK(d.value["empty_set"].is_null());
  CHECK(d.value["list"] == json::parse(R"(["x", "plain"])"));
  CHECK(d.interpolated == std::set<std::string>{"/key", "/url", "/n", "/q", "/mixed",
                                                "/empty_default", "/empty_set", "/list/0"});
  CHECK(d.is_interpolated("/key"));
  CHECK_FALSE(d.is_interpolated("/lit"));
}

TEST_CASE("${VAR} errors") {
  TempDir dir;
  SUBCASE("unset without default") {
    auto p = dir.write("env.yaml", "model:\n  api_key: ${OPENAI_API_KEY}\n");
    CHECK(error_of(dir, [&] { config::load_file(p, env({})); }) ==
          "env.yaml:2:12: model.api_key: environment variable OPENAI_API_KEY is not set — export "
          "it or use ${OPENAI_API_KEY:-default}");
  }
  SUBCASE("in an included file") {
    dir.write("base.yaml", "a: 1\nb: [x, \"${MISSING}\"]\n");
    auto p = dir.write("suite.yaml", "include: base.yaml\n");
    CHECK(error_of(dir, [&] { config::load_file(p, env({})); }) ==
          "base.yaml:2:8: b[1]: environment variable MISSING is not set — export it or use "
          "${MISSING:-default}");
  }
  SUBCASE("unterminated") {
    auto p = dir.write("env.yaml", "a: ${FOO\n");
    CHECK(error_of(dir, [&] { config::load_file(p, env({})); }) ==
          "env.yaml:1:4: a: unterminated ${ in \"${FOO\" — close it with } or write $${ for a "
          "literal ${");
  }
  SUBCASE("bad name") {
    auto p = dir.write("env.yaml", "a: x${1X}\n");
    CHECK(error_of(dir, [&] { config::load_file(p, env({})); }) ==
          "env.yaml:1:4: a: invalid environment variable name '1X' in ${1X} — use letters, "
          "digits and _, e.g. ${OPENAI_API_KEY}, or write $${ for a literal ${");
  }
}

TEST_CASE("${VAR} uses the process environment by default") {
  TempDir dir;
  ::setenv("TRUSTLLM_CONFIG_TEST_VAR", "from-env", 1);
  auto p = dir.write("env.yaml", "a: ${TRUSTLLM_CONFIG_TEST_VAR}\n");
  CHECK(config::load_file(p).value["a"] == "from-env");
  ::unsetenv("TRUSTLLM_CONFIG_TEST_VAR");
}
