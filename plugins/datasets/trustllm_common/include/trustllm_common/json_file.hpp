// JSON files as the TrustLLM toolkit writes them.
//
// Real TrustLLM files are JSON arrays written by Python's `json` module, which emits the bare
// literals `NaN`, `Infinity` and `-Infinity` for non-finite floats (e.g. items 35, 179 and 406 of
// ethics/implicit_SocialChemistry101.json). Strict JSON parsers, nlohmann::json included, reject
// them. The reader here accepts them **outside strings only** (inside a string they are ordinary
// text) and, by default, turns each one into JSON `null`:
//
//   * NonFinite::to_null (default): `NaN`, `Infinity`, `-Infinity` become `null`. This is exactly
//     what nlohmann::json writes when it serialises a non-finite double, so an item that crosses
//     the plugin boundary as JSON text looks the same either way, and every value compares equal
//     to itself.
//   * NonFinite::keep: they become the doubles NaN, +inf and -inf (Python's reading). Useful
//     when a caller tests for "a float that is NaN"; note NaN != NaN and dump() prints null.
//
// The file is read once and parsed once. Errors are trustllm::sdk::Error with a one-line message
// naming the file: TLM_E_NOT_FOUND when it does not exist, TLM_E_INPUT when it is not valid
// (lenient) JSON or not an array.
#pragma once

#include <trustllm/plugin.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace trustllm::data {

using json = nlohmann::json;

enum class NonFinite {
  to_null,  // NaN / Infinity / -Infinity -> null (default)
  keep,     // -> double NaN / +inf / -inf
};

struct ReadOptions {
  NonFinite non_finite = NonFinite::to_null;
  // Appended to the "file not found" message, e.g. "set TRUSTLLM_DATA_DIR or data_dir".
  std::string not_found_hint;
};

// Parses JSON text that may contain the bare non-finite literals (see above). `what` names the
// source in error messages. Throws sdk::Error(TLM_E_INPUT) on a syntax error.
json parse_lenient(std::string_view text, const std::string& what,
                   NonFinite non_finite = NonFinite::to_null);

// Reads the whole file into memory. Throws sdk::Error(TLM_E_NOT_FOUND) when it is missing.
std::string read_file_bytes(const std::filesystem::path& path, const std::string& not_found_hint = {});

// Reads and parses a file whose top level must be a JSON array.
json read_json_array(const std::filesystem::path& path, const ReadOptions& options = {});

// Parses bytes already read from `path` (for callers that also hash them).
json parse_json_array(std::string_view bytes, const std::filesystem::path& path,
                      NonFinite non_finite = NonFinite::to_null);

}  // namespace trustllm::data
