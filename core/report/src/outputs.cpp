#include <trustllm/report/outputs.hpp>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace trustllm::report {

namespace {
void write_atomically(const fs::path& path, const std::function<void(std::ofstream&)>& body) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) throw std::runtime_error(tmp.string() + ": cannot write — check the --out folder");
      body(f);
      f.flush();
      if (!f) throw std::runtime_error(tmp.string() + ": write failed — is the disk full?");
    }
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);  // never leave a half-written file behind
    throw;
  }
}

// The string at `key`, or "" when it is absent, null or not a string.
std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

void write_json(const fs::path& path, const nlohmann::json& value) {
  write_atomically(path, [&](std::ofstream& f) { f << value.dump(2) << "\n"; });
}

void write_jsonl(const fs::path& path,
                 const std::function<void(const std::function<void(const nlohmann::json&)>&)>&
                     produce) {
  write_atomically(path, [&](std::ofstream& f) {
    produce([&](const nlohmann::json& line) { f << line.dump() << '\n'; });
  });
}

void write_lines(const fs::path& path,
                 const std::function<void(const std::function<void(std::string_view)>&)>& produce) {
  write_atomically(path, [&](std::ofstream& f) {
    produce([&](std::string_view line) {
      f.write(line.data(), static_cast<std::streamsize>(line.size()));
      f.put('\n');
    });
  });
}

std::string format_value(const nlohmann::json& v) {
  if (v.is_null()) return "—";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) return "nan";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", d);
    return buf;
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string interval_text(const nlohmann::json& m) {
  auto it = m.find("ci95");
  if (it == m.end() || !it->is_array() || it->size() != 2) return "";
  return "[" + format_value((*it)[0]) + ", " + format_value((*it)[1]) + "]";
}

void print_table(const nlohmann::json& summary, std::FILE* out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"dimension", "task", "metric", "value", "95% interval", "n", "direction",
                  "status"});
  for (const auto& m : summary.value("metrics", nlohmann::json::array())) {
    std::string dir = text(m, "direction");
    std::string arrow = dir == "higher_is_better" ? "↑" : dir == "lower_is_better" ? "↓" : "";
    std::string status = text(m, "status");
    if (m.contains("reason") && m["reason"].is_string()) status += ": " + m["reason"].get<std::string>();
    rows.push_back({text(m, "dimension"), text(m, "task"), text(m, "metric"),
                    format_value(m.value("value", nlohmann::json())), interval_text(m),
                    m.contains("n") ? m["n"].dump() : "", arrow, status});
  }
  // Column widths in code points (the arrows and dashes are multi-byte).
  auto width = [](const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], width(r[i]));
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (size_t i = 0; i < rows[ri].size(); ++i) {
      std::string cell = rows[ri][i];
      const bool right = (i == 3 || i == 5) && ri > 0;
      std::string pad(w[i] - width(cell), ' ');
      line += right ? pad + cell : cell + (i + 1 < rows[ri].size() ? pad : "");
      if (i + 1 < rows[ri].size()) line += "  ";
    }
    std::fprintf(out, "%s\n", line.c_str());
    if (ri == 0) {
      size_t total = 0;
      for (size_t x : w) total += x + 2;
      std::fprintf(out, "%s\n", std::string(total - 2, '-').c_str());
    }
  }
  std::fflush(out);
}

}  // namespace trustllm::report
