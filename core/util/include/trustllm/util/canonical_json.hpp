// Canonical JSON text: one byte sequence per JSON value, used for cache keys.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace trustllm::util {

// Serializes `value` canonically:
//  - no whitespace at all;
//  - object keys sorted by their UTF-8 bytes (recursively);
//  - integers in plain decimal;
//  - floating-point numbers in the shortest form that parses back to exactly the same double
//    (std::to_chars), e.g. 0.1 -> "0.1", 1e21 -> "1e+21". A float with an integral value prints
//    without a fraction (2.0 -> "2"), -0.0 prints as "0", so numerically equal values give the
//    same text. NaN and infinities (not representable in JSON) print as "null";
//  - strings: '"' '\\' and control characters escaped (\b \f \n \r \t, others as \u00XX); all
//    other bytes, including non-ASCII UTF-8, are copied unchanged (never throws on bad UTF-8).
// Binary values (not JSON) and discarded values throw std::invalid_argument.
std::string canonical_json(const nlohmann::json& value);

// Appends the canonical form of `value` to `out`.
void append_canonical_json(std::string& out, const nlohmann::json& value);

// Appends `s` as a JSON string, escaped as above (and as nlohmann::json::dump() escapes it).
void append_json_string(std::string& out, std::string_view s);

}  // namespace trustllm::util
