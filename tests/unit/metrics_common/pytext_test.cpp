// Unit tests of trustllm::py (pytext.hpp): Python 3.11 str semantics on UTF-8. Expected values
// were produced with CPython 3.11.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "trustllm_metrics/pytext.hpp"

namespace py = trustllm::py;
using json = nlohmann::json;
using Strings = std::vector<std::string>;

TEST_CASE("decode/encode: code points, invalid bytes as U+FFFD") {
  CHECK(py::decode("a\xC3\xA9\xE2\x9C\x85") == U"a\u00e9\u2705");
  CHECK(py::encode(U"a\u00e9\u2705\U0001F600") == "a\xC3\xA9\xE2\x9C\x85\xF0\x9F\x98\x80");
  CHECK(py::decode("a\xFF"
                   "b") == U"a\uFFFDb");
  CHECK(py::decode("\xE2\x9C") == U"\uFFFD");                  // truncated sequence: one U+FFFD
  CHECK(py::decode("\xED\xA0\x80") == U"\uFFFD\uFFFD\uFFFD");  // encoded surrogate
  CHECK(py::decode("\xC0\xAF") == U"\uFFFD\uFFFD");            // overlong
  CHECK(py::encode(py::decode("x\x80y")) == "x\xEF\xBF\xBDy");
}

TEST_CASE("len counts code points") {
  CHECK(py::len("3\xEF\xB8\x8F\xE2\x83\xA3") == 3);  // "3️⃣" = 3 + U+FE0F + U+20E3
  CHECK(py::len("A \xE2\x9C\x85") == 3);             // "A ✅"
  CHECK(py::len("") == 0);
  CHECK(py::len("\xE9\x80\x89\xE6\x8B\xA9") == 2);  // "选择"
  CHECK(py::len("\xF0\x9F\x98\x80") == 1);
}

TEST_CASE("character classes") {
  CHECK(py::isalpha(U'\u9009'));  // 选
  CHECK(py::isalpha(U'a'));
  CHECK(py::isalpha(U'\u01C5'));        // ǅ (Lt)
  CHECK_FALSE(py::isalpha(U'\u216B'));  // Ⅻ (Nl)
  CHECK_FALSE(py::isalpha(U'1'));
  CHECK(py::isdecimal(U'\uFF12'));        // fullwidth 2
  CHECK(py::isdecimal(U'\u0663'));        // Arabic-Indic 3
  CHECK_FALSE(py::isdecimal(U'\u00B2'));  // superscript 2 is a digit, not decimal
  CHECK(py::decimal_value(U'\uFF15') == 5);
  CHECK(py::decimal_value(U'7') == 7);
  CHECK(py::decimal_value(U'\u00B2') == -1);
  CHECK(py::decimal_value(U'x') == -1);
  CHECK(py::isword(U'_'));
  CHECK(py::isword(U'\u9009'));
  CHECK(py::isword(U'\u216B'));  // Ⅻ has a numeric value: isalnum
  CHECK(py::isword(U'\u00B2'));
  CHECK_FALSE(py::isword(U'\uFF1A'));  // fullwidth colon
  CHECK_FALSE(py::isword(U'-'));
  for (char32_t c : std::u32string(U"\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a"
                                   U"\u2028\u2029\u202f\u205f\u3000"))
    CHECK(py::isspace(c));
  CHECK_FALSE(py::isspace(U'\u200B'));
  CHECK_FALSE(py::isspace(U'\uFEFF'));
  CHECK_FALSE(py::isspace(U'\u180E'));
  CHECK_FALSE(py::isspace(U'x'));
}

TEST_CASE("lower: full Unicode lower-casing") {
  CHECK(py::lower("Hello WORLD") == "hello world");
  CHECK(py::lower("\xC4\xB0") == "i\xCC\x87");  // U+0130 -> i + U+0307
  CHECK(py::lower("\xE2\x84\xAA") == "k");      // KELVIN SIGN
  CHECK(py::lower("\xC3\x84"
                  "B") ==
        "\xC3\xA4"
        "b");
  // "ΑΣ ΟΔΟΣ." -> "ας οδος." (final sigma, as Python)
  CHECK(py::lower("\xCE\x91\xCE\xA3 \xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3.") ==
        "\xCE\xB1\xCF\x82 \xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82.");
  CHECK(py::lower("") == "");
}

TEST_CASE("split") {
  // "a\u00a0b\u2003c\u3000d\u200be".split() == ['a', 'b', 'c', 'd\u200be']
  CHECK(py::split("a\xC2\xA0"
                  "b\xE2\x80\x83"
                  "c\xE3\x80\x80"
                  "d\xE2\x80\x8B"
                  "e") == Strings{"a", "b", "c",
                                  "d\xE2\x80\x8B"
                                  "e"});
  CHECK(py::split(" \x1c a b \x1f") == Strings{"a", "b"});
  CHECK(py::split("   ").empty());
  CHECK(py::split("").empty());
  CHECK(py::split("a,b,,c", ",") == Strings{"a", "b", "", "c"});
  CHECK(py::split("  a  ", " ") == Strings{"", "", "a", "", ""});
  CHECK(py::split("", " ") == Strings{""});
  CHECK(py::split("a--b--", "--") == Strings{"a", "b", ""});
}

TEST_CASE("strip") {
  CHECK(py::strip("  \xE3\x80\x80hi there\xC2\xA0\n") == "hi there");
  CHECK(py::strip("\xE2\x80\x8Bx\xE2\x80\x8B") == "\xE2\x80\x8Bx\xE2\x80\x8B");
  CHECK(py::strip("..(A).", ".()") == "A");
  CHECK(py::strip("\xE3\x80\x90"
                  "A\xE3\x80\x91",
                  "\xE3\x80\x90\xE3\x80\x91") == "A");  // 【A】
  CHECK(py::strip("abc", "") == "abc");
  CHECK(py::strip("xxx", "x") == "");
}

TEST_CASE("contains and count") {
  CHECK(py::contains("I do not know", "no"));
  CHECK_FALSE(py::contains("Yes", "yes"));
  CHECK(py::count("aaaa", "aa") == 2);  // non-overlapping
  CHECK(py::count("abc", "") == 4);
  CHECK(py::count("", "") == 1);
  CHECK(py::count("\xE9\x80\x89\xE9\x80\x89", "") == 3);
  CHECK(py::count("no, no, know", "no") == 3);
  CHECK(py::count("abc", "d") == 0);
}

TEST_CASE("digit runs and ints") {
  // re.search(r'\d+', "Option ２ is wrong. Answer: 2").group() == "２"
  CHECK(py::first_digit_run("Option \xEF\xBC\x92 is wrong. Answer: 2") == "\xEF\xBC\x92");
  CHECK(py::first_digit_run("abc 123 456") == "123");
  CHECK_FALSE(py::first_digit_run("no digits \xC2\xB2").has_value());
  CHECK(py::first_int("Rating: \xEF\xBC\x95\xEF\xBC\x90") == 50);  // ５０
  CHECK(py::first_int("score -12 and 5") == -12);
  CHECK(py::first_int("a - 3") == 3);
  CHECK(py::first_int("--7") == -7);
  CHECK(py::first_int("\xD9\xA3\xD9\xA4") == 34);  // Arabic-Indic 34
  CHECK_FALSE(py::first_int("none").has_value());
  CHECK_FALSE(py::first_int("99999999999999999999").has_value());
  CHECK(py::first_int("-9223372036854775808") == INT64_MIN);
  CHECK(py::to_int("\xEF\xBC\x91\xEF\xBC\x92") == 12);
  CHECK(py::to_int("007") == 7);
  CHECK_FALSE(py::to_int("").has_value());
  CHECK_FALSE(py::to_int("-1").has_value());
  CHECK_FALSE(py::to_int("1 ").has_value());
}

TEST_CASE("filter: [^\\w\\s] removal") {
  // re.sub(r'[^\w\s]', '', "答案：A") == "答案A"
  auto keep = [](char32_t c) { return py::isword(c) || py::isspace(c); };
  CHECK(py::filter("\xE7\xAD\x94\xE6\xA1\x88\xEF\xBC\x9A"
                   "A",
                   keep) ==
        "\xE7\xAD\x94\xE6\xA1\x88"
        "A");
  CHECK(py::filter("Hello, world!", keep) == "Hello world");
}

TEST_CASE("repr of strings") {
  CHECK(py::repr("abc") == "'abc'");
  CHECK(py::repr("it's") == "\"it's\"");
  CHECK(py::repr("say \"hi\"") == "'say \"hi\"'");
  CHECK(py::repr("both ' and \"") == "'both \\' and \"'");
  CHECK(py::repr("a\\b") == "'a\\\\b'");
  CHECK(py::repr("tab\tnl\n\r") == "'tab\\tnl\\n\\r'");
  CHECK(py::repr("\x01\x7f") == "'\\x01\\x7f'");
  CHECK(py::repr("\xC2\x85\xC2\xA0\xE2\x80\x8B") == "'\\x85\\xa0\\u200b'");
  CHECK(py::repr("\xE9\x80\x89\xC3\xA9") == "'\xE9\x80\x89\xC3\xA9'");  // printable kept
}

TEST_CASE("str of JSON values") {
  CHECK(py::str(json("plain 'text'")) == "plain 'text'");
  CHECK(py::str(json::array({"a", "b"})) == "['a', 'b']");
  CHECK(py::str(json::array({"it's", "x"})) == "[\"it's\", 'x']");
  CHECK(py::str(json(nullptr)) == "None");
  CHECK(py::str(json(true)) == "True");
  CHECK(py::str(json(false)) == "False");
  CHECK(py::str(json(42)) == "42");
  CHECK(py::str(json(-7)) == "-7");
  CHECK(py::str(json(18446744073709551615ULL)) == "18446744073709551615");
  CHECK(py::str(json(1.0)) == "1.0");
  CHECK(py::str(json(0.1)) == "0.1");
  CHECK(py::str(json(1e-05)) == "1e-05");
  CHECK(py::str(json(1.5e-7)) == "1.5e-07");
  CHECK(py::str(json(0.0001)) == "0.0001");
  CHECK(py::str(json(1e16)) == "1e+16");
  CHECK(py::str(json(1e15)) == "1000000000000000.0");
  CHECK(py::str(json(123456789012345680.0)) == "1.2345678901234568e+17");
  CHECK(py::str(json(1e22)) == "1e+22");
  CHECK(py::str(json(5e-324)) == "5e-324");
  CHECK(py::str(json(1.7976931348623157e308)) == "1.7976931348623157e+308");
  CHECK(py::str(json(-0.0)) == "-0.0");
  CHECK(py::str(json(2.5)) == "2.5");
  CHECK(py::str(json(std::numeric_limits<double>::quiet_NaN())) == "nan");
  CHECK(py::str(json(-std::numeric_limits<double>::infinity())) == "-inf");
  CHECK(py::str(json::array()) == "[]");
  CHECK(py::str(json::object()) == "{}");
  CHECK(py::str(json{{"k", json::array({1, 2.0, nullptr, true})}}) ==
        "{'k': [1, 2.0, None, True]}");
  CHECK(py::str(json::array({json::array({"a"}), json{{"b", "c"}}})) == "[['a'], {'b': 'c'}]");
}
