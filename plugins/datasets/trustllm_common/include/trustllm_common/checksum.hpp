// File integrity for TrustLLM data folders.
//
// A data folder (TRUSTLLM_DATA_DIR) may hold MANIFEST.tsv: a tab-separated table with a header
// line naming the columns `path`, `bytes`, `items`, `sha256` (paths relative to the folder, '/'
// separated). When the manifest exists, every file a dataset reads must be listed there with the
// sha256 of its bytes; a mismatch is a one-line error naming the file, both hashes and the fix.
// When it does not exist (imported result trees, parity fixtures) verification is skipped.
#pragma once

#include <trustllm/plugin.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::data {

// Lower-case hex sha256 (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);
// Streams the file; throws sdk::Error(TLM_E_NOT_FOUND) when it cannot be opened.
std::string sha256_file(const std::filesystem::path& path);

struct ManifestEntry {
  std::string path;  // relative, e.g. "safety/jailbreak.json"
  std::uint64_t bytes = 0;
  std::uint64_t items = 0;
  std::string sha256;
};

inline constexpr const char* kManifestName = "MANIFEST.tsv";

// All entries of <data_dir>/MANIFEST.tsv, or nullopt when the folder has no manifest.
// Throws sdk::Error(TLM_E_INPUT) when the manifest exists but is malformed.
std::optional<std::vector<ManifestEntry>> read_manifest(const std::filesystem::path& data_dir);

// The entry for `rel_path`, if any.
std::optional<ManifestEntry> find_manifest_entry(const std::vector<ManifestEntry>& manifest,
                                                 std::string_view rel_path);

// Checks `actual_sha256` (of the file <data_dir>/<rel_path>) against the manifest.
// Returns false when there is no manifest (nothing verified), true when the hash matches.
// Throws sdk::Error(TLM_E_INPUT) with a one-line message when the file is not listed or differs.
bool verify_against_manifest(const std::filesystem::path& data_dir, std::string_view rel_path,
                             std::string_view actual_sha256);

// A data file read once: bytes hashed, optionally verified, parsed as a JSON array.
struct DataFile {
  std::filesystem::path path;  // absolute
  std::string rel_path;        // as given, e.g. "safety/jailbreak.json"
  std::string sha256;
  bool verified = false;  // true when checked against a manifest
  nlohmann::json items;   // the top-level array
};

// Reads <data_dir>/<rel_path>. Missing file: sdk::Error(TLM_E_NOT_FOUND,
// "<path>: file not found — <not_found_hint>"). Non-finite literals become null.
DataFile load_data_file(const std::filesystem::path& data_dir, const std::string& rel_path,
                        bool verify_checksum, const std::string& not_found_hint = {});

}  // namespace trustllm::data
