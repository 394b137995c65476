// Tests of the output writers (core/report/outputs.hpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <trustllm/report/outputs.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../common/temp_dir.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using trustllm::report::format_value;
using trustllm::report::print_table;
using trustllm::report::write_json;
using trustllm::report::write_jsonl;

namespace {

using test_support::TempDir;

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// Runs print_table into a tmpfile() and returns what it wrote.
std::string table_of(const json& summary) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  print_table(summary, f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}

// The line of the table that holds `needle` (exactly one).
std::string line_with(const std::string& table, const std::string& needle) {
  std::string found;
  int count = 0;
  for (const auto& l : lines_of(table)) {
    if (l.find(needle) != std::string::npos) {
      found = l;
      ++count;
    }
  }
  CHECK_MESSAGE(count == 1, "expected one line with '" << needle << "' in:\n" << table);
  return found;
}

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("write_json: the content parses back and no temporary file is left") {
  TempDir dir;
  const fs::path out = dir.path() / "summary.json";
  const json value = {{"suite", "demo"},
                      {"metrics", json::array({{{"metric", "rta"}, {"value", 0.5}, {"n", 10}}})},
                      {"text", "ünïcödé — ↑"}};
  write_json(out, value);
  CHECK(json::parse(read_file(out)) == value);
  CHECK(dir.entries() == std::vector<std::string>{"summary.json"});
  // Pretty-printed (two-space indent), ending in a newline.
  const std::string text = read_file(out);
  CHECK(contains(text, "\n  \"metrics\""));
  CHECK(text.back() == '\n');
}

TEST_CASE("write_json: replacing a file replaces all of it") {
  TempDir dir;
  const fs::path out = dir.path() / "manifest.json";
  json big = json::object();
  for (int i = 0; i < 500; ++i) big["key" + std::to_string(i)] = std::string(50, 'x');
  write_json(out, big);
  const auto big_size = fs::file_size(out);
  write_json(out, json{{"small", true}});
  CHECK(fs::file_size(out) < big_size);
  CHECK(json::parse(read_file(out)) == json{{"small", true}});
  CHECK(dir.entries() == std::vector<std::string>{"manifest.json"});
}

TEST_CASE("write_json: an unwritable folder is an error that names the path") {
  TempDir dir;
  const fs::path out = dir.path() / "no-such-folder" / "summary.json";
  try {
    write_json(out, json{{"a", 1}});
    FAIL("expected an exception");
  } catch (const std::exception& e) {
    CHECK(contains(e.what(), "no-such-folder"));
  }
  CHECK_FALSE(fs::exists(out));
  CHECK(dir.entries().empty());
}

TEST_CASE("write_jsonl: one compact object per line, in order") {
  TempDir dir;
  const fs::path out = dir.path() / "samples.jsonl";
  std::vector<json> rows;
  for (int i = 0; i < 25; ++i) {
    rows.push_back({{"id", std::to_string(i)},
                    {"response", "line one\nline two"},  // embedded newlines stay escaped
                    {"score", i % 2},
                    {"nested", {{"a", json::array({1, 2, i})}}}});
  }
  write_jsonl(out, [&](const std::function<void(const json&)>& emit) {
    for (const auto& r : rows) emit(r);
  });
  const std::string text = read_file(out);
  const auto lines = lines_of(text);
  REQUIRE(lines.size() == rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CHECK(json::parse(lines[i]) == rows[i]);
  }
  CHECK(text.back() == '\n');
  CHECK(dir.entries() == std::vector<std::string>{"samples.jsonl"});

  // Nothing to write: an empty file.
  write_jsonl(out, [](const std::function<void(const json&)>&) {});
  CHECK(fs::exists(out));
  CHECK(fs::file_size(out) == 0);
  CHECK(dir.entries() == std::vector<std::string>{"samples.jsonl"});
}

TEST_CASE("format_value: null, floats with 4 decimals, integers as they are") {
  CHECK(format_value(json()) == "—");
  CHECK(format_value(json(0.123456)) == "0.1235");
  CHECK(format_value(json(0.5)) == "0.5000");
  CHECK(format_value(json(1.0)) == "1.0000");
  CHECK(format_value(json(0.0)) == "0.0000");
  CHECK(format_value(json(-0.25)) == "-0.2500");
  CHECK(format_value(json(12.99996)) == "13.0000");
  CHECK(format_value(json(42)) == "42");
  CHECK(format_value(json(-7)) == "-7");
  CHECK(format_value(json(0)) == "0");
  CHECK(format_value(json(uint64_t{18446744073709551615ull})) == "18446744073709551615");
  CHECK(format_value(json(std::numeric_limits<double>::quiet_NaN())) == "nan");
  CHECK(format_value(json("n/a")) == "n/a");  // strings as they are, without quotes
  CHECK(format_value(json(true)) == "true");
}

TEST_CASE("print_table: header, one row per metric, arrows, and skip reasons") {
  const json summary = {
      {"suite", "demo"},
      {"metrics",
       json::array({
           {{"dimension", "safety"},
            {"task", "jailbreak"},
            {"metric", "rta"},
            {"value", 0.87654},
            {"n", 120},
            {"direction", "higher_is_better"},
            {"status", "ok"}},
           {{"dimension", "safety"},
            {"task", "exaggerated_safety"},
            {"metric", "plain_rta"},
            {"value", 0.25},
            {"n", 40},
            {"direction", "lower_is_better"},
            {"status", "ok"}},
           {{"dimension", "fairness"},
            {"task", "stereotype_agreement"},
            {"metric", "agreement_rate"},
            {"value", nullptr},
            {"n", 0},
            {"direction", "higher_is_better"},
            {"status", "skipped"},
            {"reason", "no judge bound — pass --judge FILE"}},
           {{"dimension", "privacy"},
            {"task", "leakage"},
            {"metric", "count_only"},
            {"value", 17},
            {"n", 17},
            {"status", "ok"}},
       })}};
  const std::string table = table_of(summary);
  const auto lines = lines_of(table);
  CAPTURE(table);
  REQUIRE(lines.size() == 2 + 4);  // header, rule, 4 metrics

  // Header and rule.
  for (const char* col : {"dimension", "task", "metric", "value", "n", "direction", "status"})
    CHECK(contains(lines[0], col));
  CHECK(lines[1].find_first_not_of('-') == std::string::npos);
  CHECK(lines[1].size() >= 40);

  // Every metric row, with its formatted value, n and arrow.
  const std::string jb = line_with(table, "jailbreak");
  CHECK(contains(jb, "safety"));
  CHECK(contains(jb, "rta"));
  CHECK(contains(jb, "0.8765"));
  CHECK(contains(jb, "120"));
  CHECK(contains(jb, "↑"));
  CHECK_FALSE(contains(jb, "↓"));
  CHECK(contains(jb, "ok"));

  const std::string ex = line_with(table, "exaggerated_safety");
  CHECK(contains(ex, "plain_rta"));
  CHECK(contains(ex, "0.2500"));
  CHECK(contains(ex, "↓"));
  CHECK_FALSE(contains(ex, "↑"));

  const std::string sk = line_with(table, "stereotype_agreement");
  CHECK(contains(sk, "—"));  // no value
  CHECK(contains(sk, "skipped: no judge bound — pass --judge FILE"));

  const std::string lk = line_with(table, "leakage");
  CHECK(contains(lk, "17"));
  CHECK_FALSE(contains(lk, "↑"));  // no direction, no arrow
  CHECK_FALSE(contains(lk, "↓"));

  // Rows are in the summary's order.
  CHECK(table.find("jailbreak") < table.find("exaggerated_safety"));
  CHECK(table.find("exaggerated_safety") < table.find("stereotype_agreement"));
  CHECK(table.find("stereotype_agreement") < table.find("leakage"));

  // Columns line up: in every row the value column ends where the header's "value" column ends
  // (values are right-aligned), counted in code points.
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  auto column_end = [&](const std::string& line, const std::string& cell) {
    const size_t pos = line.find(cell);
    REQUIRE(pos != std::string::npos);
    return width(line.substr(0, pos)) + width(cell);
  };
  // In the header the "value" title is left-aligned in a column as wide as "0.8765".
  const size_t value_col_start = width(lines[0].substr(0, lines[0].find("value")));
  CHECK(column_end(jb, "0.8765") == value_col_start + 6);
  CHECK(column_end(ex, "0.2500") == value_col_start + 6);
  CHECK(column_end(sk, "—") == value_col_start + 6);
}

TEST_CASE("print_table: the 95% interval column shows ci95 when present") {
  const json summary = {
      {"metrics",
       json::array({{{"dimension", "safety"},
                     {"task", "jailbreak"},
                     {"metric", "rta"},
                     {"value", 0.9},
                     {"ci95", json::array({0.88123, 0.92456})},
                     {"n", 1400},
                     {"direction", "higher_is_better"},
                     {"status", "ok"}},
                    {{"dimension", "safety"},
                     {"task", "misuse"},
                     {"metric", "rta"},
                     {"value", 0.5},
                     {"n", 10},
                     {"direction", "higher_is_better"},
                     {"status", "ok"}}})}};
  const std::string table = table_of(summary);
  CAPTURE(table);
  CHECK(contains(lines_of(table)[0], "95% interval"));
  CHECK(contains(line_with(table, "jailbreak"), "[0.8812, 0.9246]"));
  CHECK_FALSE(contains(line_with(table, "misuse"), "["));
}

TEST_CASE("print_table: an empty summary prints the header only") {
  const std::string table = table_of(json::object());
  const auto lines = lines_of(table);
  REQUIRE(lines.size() == 2);
  CHECK(contains(lines[0], "dimension"));
  CHECK(lines[1].find_first_not_of('-') == std::string::npos);
}

TEST_CASE("write_jsonl: a producer that fails leaves no temporary file behind") {
  TempDir dir;
  const fs::path out = dir.path() / "samples.jsonl";
  CHECK_THROWS_AS(write_jsonl(out,
                              [](const std::function<void(const json&)>& emit) {
                                emit(json{{"id", "1"}});
                                throw std::runtime_error("database went away");
                              }),
                  std::runtime_error);
  CHECK(dir.entries().empty());
}

TEST_CASE("print_table: null or non-string fields print as empty cells, never throw") {
  const json summary = {
      {"metrics", json::array({{{"metric", "m"}, {"task", nullptr}, {"direction", nullptr},
                                {"status", nullptr}, {"value", 0.25}, {"n", 4}}})}};
  std::string table;
  CHECK_NOTHROW(table = table_of(summary));
  CHECK(contains(table, "0.2500"));
}
