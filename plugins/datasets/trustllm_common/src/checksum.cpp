#include "trustllm_common/checksum.hpp"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <sstream>

#include "trustllm_common/json_file.hpp"

namespace trustllm::data {
namespace {

namespace sdk = trustllm::sdk;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx new_sha256() {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw sdk::Error(TLM_E_RUNTIME, "sha256: cannot initialise the OpenSSL digest");
  }
  return ctx;
}

void update(EVP_MD_CTX* ctx, const void* data, size_t n) {
  if (EVP_DigestUpdate(ctx, data, n) != 1) throw sdk::Error(TLM_E_RUNTIME, "sha256: update failed");
}

std::string finish_hex(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, md.data(), &len) != 1) {
    throw sdk::Error(TLM_E_RUNTIME, "sha256: final failed");
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(digits[md[i] >> 4]);
    hex.push_back(digits[md[i] & 0xF]);
  }
  return hex;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

std::uint64_t to_u64(const std::string& s, const std::string& where) {
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
    return v;
  } catch (const std::exception&) {
    throw sdk::Error(TLM_E_INPUT, where + ": not a number: '" + s + "'");
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  MdCtx ctx = new_sha256();
  update(ctx.get(), bytes.data(), bytes.size());
  return finish_hex(ctx.get());
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sdk::Error(TLM_E_NOT_FOUND, path.string() + ": file not found");
  MdCtx ctx = new_sha256();
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    std::streamsize got = in.gcount();
    if (got > 0) update(ctx.get(), buf.data(), static_cast<size_t>(got));
  }
  if (in.bad()) throw sdk::Error(TLM_E_RUNTIME, path.string() + ": read error");
  return finish_hex(ctx.get());
}

std::optional<std::vector<ManifestEntry>> read_manifest(const std::filesystem::path& data_dir) {
  std::filesystem::path file = data_dir / kManifestName;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw sdk::Error(TLM_E_RUNTIME, file.string() + ": cannot open for reading");

  std::vector<ManifestEntry> entries;
  std::string line;
  int col_path = -1, col_bytes = -1, col_items = -1, col_sha = -1;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = split_tabs(line);
    if (col_path < 0) {  // header
      for (size_t i = 0; i < cols.size(); ++i) {
        if (cols[i] == "path") col_path = static_cast<int>(i);
        if (cols[i] == "bytes") col_bytes = static_cast<int>(i);
        if (cols[i] == "items") col_items = static_cast<int>(i);
        if (cols[i] == "sha256") col_sha = static_cast<int>(i);
      }
      if (col_path < 0 || col_sha < 0) {
        throw sdk::Error(TLM_E_INPUT, file.string() +
                                          ": the header line must name the columns 'path' and "
                                          "'sha256' (tab-separated)");
      }
      continue;
    }
    const std::string where = file.string() + ":" + std::to_string(lineno);
    auto need = [&](int col) -> const std::string& {
      if (col >= static_cast<int>(cols.size())) {
        throw sdk::Error(TLM_E_INPUT, where + ": missing column " + std::to_string(col + 1));
      }
      return cols[static_cast<size_t>(col)];
    };
    ManifestEntry e;
    e.path = need(col_path);
    e.sha256 = lower(need(col_sha));
    if (col_bytes >= 0) e.bytes = to_u64(need(col_bytes), where);
    if (col_items >= 0) e.items = to_u64(need(col_items), where);
    entries.push_back(std::move(e));
  }
  if (col_path < 0) throw sdk::Error(TLM_E_INPUT, file.string() + ": empty manifest");
  return entries;
}

std::optional<ManifestEntry> find_manifest_entry(const std::vector<ManifestEntry>& manifest,
                                                 std::string_view rel_path) {
  for (const ManifestEntry& e : manifest) {
    if (e.path == rel_path) return e;
  }
  return std::nullopt;
}

bool verify_against_manifest(const std::filesystem::path& data_dir, std::string_view rel_path,
                             std::string_view actual_sha256) {
  auto manifest = read_manifest(data_dir);
  if (!manifest) return false;
  const std::string file = (data_dir / std::string(rel_path)).string();
  const std::string manifest_file = (data_dir / kManifestName).string();
  auto entry = find_manifest_entry(*manifest, rel_path);
  if (!entry) {
    throw sdk::Error(TLM_E_INPUT, file + ": not listed in " + manifest_file +
                                      " (sha256 " + std::string(actual_sha256) +
                                      ") \u2014 use an unmodified TrustLLM data folder, or set "
                                      "verify_checksum: false");
  }
  if (entry->sha256 != lower(actual_sha256)) {
    throw sdk::Error(TLM_E_INPUT, file + ": sha256 mismatch: " + manifest_file + " expects " +
                                      entry->sha256 + ", the file has " +
                                      std::string(actual_sha256) +
                                      " \u2014 restore the original TrustLLM file (re-extract the "
                                      "dataset), or set verify_checksum: false to use it as is");
  }
  return true;
}

DataFile load_data_file(const std::filesystem::path& data_dir, const std::string& rel_path,
                        bool verify_checksum, const std::string& not_found_hint) {
  DataFile f;
  f.rel_path = rel_path;
  f.path = std::filesystem::absolute(data_dir / rel_path).lexically_normal();
  std::string bytes = read_file_bytes(f.path, not_found_hint);
  f.sha256 = sha256_hex(bytes);
  if (verify_checksum) f.verified = verify_against_manifest(data_dir, rel_path, f.sha256);
  f.items = parse_json_array(bytes, f.path);
  return f;
}

}  // namespace trustllm::data
