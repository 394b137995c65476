// Loading: scalar typing, source locations, YAML syntax errors, robustness.
#include "helpers.hpp"

using namespace cfgtest;

TEST_CASE("ConfigError formats one line with location, key path, problem and advice") {
  config::ConfigError e(config::SourceLoc{"suite.yaml", 5, 14}, "tasks[1].limit",
                        "expected integer, got string \"ten\"", "write a whole number such as 10");
  CHECK(std::string(e.what()) ==
        "suite.yaml:5:14: tasks[1].limit: expected integer, got string \"ten\" — write a whole "
        "number such as 10");
  CHECK(e.file() == "suite.yaml");
  CHECK(e.line() == 5);
  CHECK(e.column() == 14);
  CHECK(e.key_path() == "tasks[1].limit");
  CHECK(e.exit_code() == 2);

  config::ConfigError multi(config::SourceLoc{"--set", 0, 0}, "a", "bad\nthing", "fix");
  CHECK(std::string(multi.what()) == "--set: a: bad thing — fix");

  config::ConfigError plain("suite.yaml: suite file not found — check the path");
  CHECK(std::string(plain.what()) == "suite.yaml: suite file not found — check the path");
  CHECK(plain.exit_code() == 2);
  const std::runtime_error& base = plain;  // derives from std::runtime_error
  CHECK(std::string(base.what()).size() > 0);
}

TEST_CASE("scalars are typed with the YAML 1.2 core schema") {
  TempDir dir;
  auto p = dir.write("types.yaml",
                     "i: 42\n"
                     "neg: -7\n"
                     "plus: +3\n"
                     "hex: 0x1F\n"
                     "oct: 0o17\n"
                     "f: 2.5\n"
                     "e: 1e3\n"
                     "dot: .5\n"
                     "t: true\n"
                     "F: False\n"
                     "n: ~\n"
                     "n2: null\n"
                     "empty:\n"
                     "s: hello world\n"
                     "q: \"42\"\n"
                     "sq: 'true'\n"
                     "yes_: yes\n"
                     "inf: .inf\n"
                     "nan: .nan\n"
                     "tagged: !!str 12\n"
                     "ftag: !!float 3\n"
                     "big: 18446744073709551615\n"
                     "block: |\n"
                     "  line\n"
                     "list: [1, two, 3.0]\n");
  config::Document d = config::load_file(p);
  const json& v = d.value;
  CHECK(v["i"] == 42);
  CHECK(v["i"].is_number_integer());
  CHECK(v["neg"] == -7);
  CHECK(v["plus"] == 3);
  CHECK(v["hex"] == 31);
  CHECK(v["oct"] == 15);
  CHECK(v["f"].is_number_float());
  CHECK(v["f"].get<double>() == doctest::Approx(2.5));
  CHECK(v["e"].is_number_float());
  CHECK(v["e"].get<double>() == doctest::Approx(1000.0));
  CHECK(v["dot"].get<double>() == doctest::Approx(0.5));
  CHECK(v["t"] == true);
  CHECK(v["F"] == false);
  CHECK(v["n"].is_null());
  CHECK(v["n2"].is_null());
  CHECK(v.contains("empty"));
  CHECK(v["empty"].is_null());
  CHECK(v["s"] == "hello world");
  CHECK(v["q"] == "42");
  CHECK(v["sq"] == "true");
  CHECK(v["yes_"] == "yes");  // YAML 1.2: yes is text
  CHECK(v["inf"] == ".inf");  // kept as text: JSON has no infinity
  CHECK(v["nan"] == ".nan");
  CHECK(v["tagged"] == "12");
  CHECK(v["ftag"].is_number_float());
  CHECK(v["big"].is_number_unsigned());
  CHECK(v["block"] == "line\n");
  CHECK(v["list"] == json::parse(R"([1, "two", 3.0])"));
  CHECK(d.file == p.generic_string());
  REQUIRE(d.files.size() == 1);
}

TEST_CASE("an integer that does not fit in 64 bits is an error") {
  TempDir dir;
  auto p = dir.write("big.yaml", "seed: 99999999999999999999999\n");
  CHECK(error_of(dir, [&] { config::load_file(p); }) ==
        "big.yaml:1:7: seed: integer 99999999999999999999999 does not fit in 64 bits — use a "
        "smaller number, or quote it to keep it as text");
}

TEST_CASE("every node has a 1-based location") {
  TempDir dir;
  auto p = dir.write("suite.yaml",
                     "suite: demo\n"              // 1
                     "tasks:\n"                   // 2
                     "  - id: a\n"                // 3
                     "    dataset:\n"             // 4
                     "      plugin: x\n"          // 5
                     "    limit: ten\n"           // 6
                     "    empty:\n"               // 7
                     "    models: {gpt-4.1: 1}\n" // 8
                     "    list:\n"                // 9
                     "      - one\n");            // 10
  config::Document d = config::load_file(p);
  auto at = [&](const std::string& ptr) { return dir.rel(d.locate(ptr)); };
  CHECK(at("") == "suite.yaml:1:1");
  CHECK(at("/suite") == "suite.yaml:1:8");
  CHECK(at("/tasks") == "suite.yaml:3:3");
  CHECK(at("/tasks/0") == "suite.yaml:3:5");
  CHECK(at("/tasks/0/dataset/plugin") == "suite.yaml:5:15");
  CHECK(dir.rel(d.where_key("/tasks/0/dataset/plugin").str()) == "suite.yaml:5:7");
  CHECK(at("/tasks/0/limit") == "suite.yaml:6:12");
  CHECK(at("/tasks/0/empty") == "suite.yaml:7:5");  // an empty value points at its key
  CHECK(at("/tasks/0/list/0") == "suite.yaml:10:9");
  // Nearest ancestor for pointers without a node.
  CHECK(at("/tasks/0/dataset/config/x") == "suite.yaml:5:7");
  CHECK(d.where("/tasks/0/dataset/plugin").line == 5);
  CHECK(d.where("/tasks/0/dataset/plugin").col == 15);

  CHECK(d.human_path("") == "(top level)");
  CHECK(d.human_path("/tasks/0/dataset/plugin") == "tasks[0].dataset.plugin");
  CHECK(d.human_path("/tasks/0/models/gpt-4.1") == "tasks[0].models[\"gpt-4.1\"]");
  CHECK(d.human_path("/tasks/3/missing") == "tasks[3].missing");
}

TEST_CASE("bad YAML becomes a located one-line error") {
  TempDir dir;
  SUBCASE("unclosed bracket") {
    auto p = dir.write("bad.yaml", "a: [1, 2\nb: 3\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "bad.yaml:2:2: invalid YAML: end of sequence flow not found — close the list with ] "
          "(check for a missing ] or a stray [)");
  }
  SUBCASE("unclosed brace") {
    auto p = dir.write("bad.yaml", "a: {b: 1\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "bad.yaml:2:1: invalid YAML: end of map flow not found — close the map with } (check "
          "for a missing } or a stray {)");
  }
  SUBCASE("tab indentation") {
    auto p = dir.write("tabs.yaml", "a:\n\tb: 1\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "tabs.yaml:2:3: invalid YAML: illegal map value — indent with spaces, not tabs");
  }
  SUBCASE("value with ': ' in it") {
    auto p = dir.write("colon.yaml", "a: b: c\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "colon.yaml:1:5: invalid YAML: illegal map value — check the indentation (spaces only) "
          "and put values containing ': ' in quotes");
  }
  SUBCASE("two documents") {
    auto p = dir.write("two.yaml", "a: 1\n---\nb: 2\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "two.yaml:3:1: a second YAML document starts here — keep one document per file: "
          "remove '---', or fix the indentation so that everything belongs to one map");
  }
  SUBCASE("duplicate key") {
    auto p = dir.write("dup.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n");
    CHECK(error_of(dir, [&] { config::load_file(p); }) ==
          "dup.yaml:4:3: b.c: duplicate key (first defined at line 3) — remove one of the two");
  }
  SUBCASE("missing file") {
    CHECK(error_of(dir, [&] { config::load_file(dir.path() / "nope.yaml"); }) ==
          "nope.yaml: file not found — check the path");
  }
}

TEST_CASE("empty and comment-only files are empty maps") {
  TempDir dir;
  CHECK(config::load_file(dir.write("empty.yaml", "")).value == json::object());
  CHECK(config::load_file(dir.write("comment.yaml", "# nothing\n")).value == json::object());
}

TEST_CASE("YAML anchors, aliases and merge keys") {
  TempDir dir;
  auto p = dir.write("anchors.yaml",
                     "base: &b {temperature: 0, max_tokens: 10}\n"
                     "task:\n"
                     "  <<: *b\n"
                     "  max_tokens: 20\n"
                     "copy: *b\n");
  config::Document d = config::load_file(p);
  CHECK(d.value["task"] == json::parse(R"({"temperature": 0, "max_tokens": 20})"));
  CHECK(d.value["copy"] == d.value["base"]);
  CHECK(d.where("/task/max_tokens").line == 4);
  CHECK(d.where("/task/temperature").line == 1);
}

TEST_CASE("invalid or hostile input never crashes") {
  TempDir dir;
  const std::vector<std::string> inputs = {
      "a:\n\tb: 1\n",
      "\t- x\n\t- y\n",
      "key: value\n\tother: 1\n",
      "a: [1, 2\n",
      "{",
      "}",
      ":",
      "- a\nb: 1\n",
      "? [a, b]\n: 1\n",
      "~: 1\n",
      "a: &a [*a]\n",
      "a: &a {<<: *a}\n",
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
      "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
      std::string(5000, '[') + std::string(5000, ']'),
      std::string("a: \"\xff\xfe\x00\x01\"\n", 10),
      "a: !!int notanumber\n",
      "a: ${UNTERMINATED\n",
      "a: ${1BAD}\n",
      "<<: 5\n",
      "\xef\xbb\xbf" "a: 1\n",
      "include: [1]\n",
      "include: {a: b}\n",
      "include: self.yaml\n",
  };
  int errors = 0, loaded = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto p = dir.write("self.yaml", inputs[i]);
    CAPTURE(i);
    try {
      config::load_file(p, env({}));
      ++loaded;
    } catch (const config::ConfigError& e) {
      ++errors;
      const std::string msg = e.what();
      CHECK(msg.find('\n') == std::string::npos);
      CHECK(msg.rfind(p.generic_string(), 0) == 0);  // starts with the file name
    } catch (const std::exception& e) {
      FAIL("unexpected exception: " << e.what());
    }
  }
  CHECK(errors + loaded == static_cast<int>(inputs.size()));
  CHECK(errors >= 15);
}
