#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <trustllm/util/util.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace trustllm::util;
using nlohmann::json;

TEST_CASE("sha256 known vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256_hex(std::string_view("a\0b", 3)) != sha256_hex("ab"));
}

TEST_CASE("Sha256 incremental equals one-shot and resets after digest") {
  Sha256 h;
  h.update("abcdbcdecdefdefg").update("efghfghighijhijkijkljklmklmnlmnomnopnopq");
  CHECK(h.hex_digest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  h.update("abc");  // reset after digest
  CHECK(h.hex_digest() == sha256_hex("abc"));
  h.update("garbage");
  h.reset();
  CHECK(h.hex_digest() == sha256_hex(""));
  std::string million(1000000, 'a');
  for (std::size_t i = 0; i < million.size(); i += 4096) {
    h.update(million.data() + i, std::min<std::size_t>(4096, million.size() - i));
  }
  CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256 moved = std::move(h);
  moved.update("abc");
  CHECK(moved.hex_digest() == sha256_hex("abc"));
}

TEST_CASE("sha256_file_hex streams files") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("trustllm_util_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "data.bin";
  std::string content;
  for (int i = 0; i < 200000; ++i) content.push_back(static_cast<char>(i * 31 % 256));
  {
    std::ofstream out(file, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  CHECK(sha256_file_hex(file) == sha256_hex(content));
  {
    std::ofstream out(dir / "empty", std::ios::binary);
  }
  CHECK(sha256_file_hex(dir / "empty") == sha256_hex(""));
  CHECK_THROWS_WITH_AS(sha256_file_hex(dir / "missing"), doctest::Contains("missing: cannot read"),
                       std::runtime_error);
  CHECK_THROWS_AS(sha256_file_hex(dir), std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("item_seed is pinned and input-sensitive") {
  // Pinned values (computed independently from the documented encoding).
  CHECK(item_seed(42, "truthfulness/misinformation", "item-0001") == 15908968385337151306ull);
  CHECK(item_seed(0, "", "") == 10813317999230448450ull);
  CHECK(item_seed(UINT64_MAX, "privacy", "\xc3\xa9") == 2513730568072189911ull);

  const auto base = item_seed(42, "task", "item");
  CHECK(item_seed(42, "task", "item") == base);
  CHECK(item_seed(43, "task", "item") != base);
  CHECK(item_seed(42, "task2", "item") != base);
  CHECK(item_seed(42, "task", "item2") != base);
  // Length prefixes: moving bytes between task and item_id changes the seed.
  CHECK(item_seed(42, "ab", "c") != item_seed(42, "a", "bc"));
  CHECK(item_seed(42, "", "taskitem") != item_seed(42, "taskitem", ""));

  std::set<std::uint64_t> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(item_seed(7, "t", std::to_string(i)));
  CHECK(seen.size() == 10000);
}

TEST_CASE("item_seed is independent of threads and order") {
  constexpr int kItems = 2000;
  std::vector<std::uint64_t> serial(kItems);
  for (int i = 0; i < kItems; ++i) serial[static_cast<std::size_t>(i)] = item_seed(99, "t", std::to_string(i));
  std::vector<std::uint64_t> parallel(kItems);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = kItems - 1 - t; i >= 0; i -= 4) {  // reverse order, interleaved
        parallel[static_cast<std::size_t>(i)] = item_seed(99, "t", std::to_string(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(serial == parallel);
}

TEST_CASE("canonical_json sorts keys and strips whitespace") {
  const json j = json::parse(R"({ "b": 1, "a": {"z": [3, 2, {"y": null, "x": true}], "c": "s"}, "B": false })");
  CHECK(canonical_json(j) == R"({"B":false,"a":{"c":"s","z":[3,2,{"x":true,"y":null}]},"b":1})");

  // Insertion order does not matter.
  json a = json::object();
  a["model"] = "m";
  a["backend"] = "b";
  json b = json::object();
  b["backend"] = "b";
  b["model"] = "m";
  CHECK(canonical_json(a) == canonical_json(b));
  // ordered_json input (insertion order kept by the container) still sorts.
  nlohmann::ordered_json o;
  o["z"] = 1;
  o["a"] = 2;
  CHECK(canonical_json(json(o)) == R"({"a":2,"z":1})");

  CHECK(canonical_json(json::array()) == "[]");
  CHECK(canonical_json(json::object()) == "{}");
  CHECK(canonical_json(json("line\n\"q\"\\\t\x01")) == R"("line\n\"q\"\\\t\u0001")");
  CHECK(canonical_json(json("caf\xc3\xa9")) == "\"caf\xc3\xa9\"");
  CHECK(canonical_json(json::object({{"k", "v"}})) == R"({"k":"v"})");
}

TEST_CASE("canonical_json numbers round-trip exactly") {
  CHECK(canonical_json(json(0.1)) == "0.1");
  CHECK(canonical_json(json(0.7)) == "0.7");
  CHECK(canonical_json(json(1.0)) == "1");
  CHECK(canonical_json(json(-0.0)) == "0");
  CHECK(canonical_json(json(1e21)) == "1e+21");
  CHECK(canonical_json(json(-5)) == "-5");
  CHECK(canonical_json(json(UINT64_MAX)) == "18446744073709551615");
  CHECK(canonical_json(json(INT64_MIN)) == "-9223372036854775808");
  CHECK(canonical_json(json(std::numeric_limits<double>::quiet_NaN())) == "null");
  CHECK(canonical_json(json(std::numeric_limits<double>::infinity())) == "null");

  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 20000; ++i) {
    double d;
    if (i % 2 == 0) {
      d = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20);
    } else {
      const std::uint64_t bits = rng();
      std::memcpy(&d, &bits, sizeof d);
      if (!std::isfinite(d)) continue;
    }
    const std::string text = canonical_json(json(d));
    const json back = json::parse(text);
    const double again = back.get<double>();
    REQUIRE_MESSAGE(again == d, text);
    CHECK(canonical_json(back) == text);  // idempotent
  }
  CHECK_THROWS_AS(canonical_json(json::binary({1, 2})), std::invalid_argument);
}

TEST_CASE("append_json_string escapes as nlohmann::json::dump does") {
  // The run engine writes samples with it; their text must stay what dump() gave before.
  std::mt19937_64 rng(99);
  const std::string pieces[] = {"a", "\"", "\\", "\n", "\t", "\b", "\f", "\r", "\x01", "\x1f",
                                "\x7f", "/", "é", "漢", "🙂", " ", "\\u0041"};
  for (int i = 0; i < 5000; ++i) {
    std::string s;
    const size_t len = rng() % 24;
    for (size_t k = 0; k < len; ++k) s += pieces[rng() % std::size(pieces)];
    std::string out = "x";
    trustllm::util::append_json_string(out, s);
    REQUIRE_MESSAGE(out == "x" + json(s).dump(), s);
  }
}

TEST_CASE("iso8601 and stopwatch") {
  const std::string now = iso8601_utc_now();
  CHECK(std::regex_match(now, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")));
  CHECK(iso8601_utc(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
  CHECK(iso8601_utc(std::chrono::system_clock::time_point{std::chrono::milliseconds(1700000000123)}) ==
        "2023-11-14T22:13:20.123Z");
  Stopwatch sw;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(sw.milliseconds() >= 19.0);
  CHECK(sw.seconds() < 10.0);
  sw.reset();
  CHECK(sw.milliseconds() < 15.0);
}
