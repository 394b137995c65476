// Run reports shared by every format: reading a run folder, the dimension scores of the
// overview, and the Markdown and CSV writers (the same per-task metric content as the HTML page).
#include <trustllm/report/outputs.hpp>
#include <trustllm/report/run_report.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace trustllm::report {

namespace {

using json = nlohmann::json;

json read_json_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw RunFolderError(path.string() + ": cannot read");
  try {
    return json::parse(f);
  } catch (const json::exception& e) {
    throw RunFolderError(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Metric value for machines: the shortest text that reads back as the same double.
std::string exact_value(const json& v) {
  if (v.is_null()) return "";
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    double d = v.get<double>();
    return std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string count_text(const json& m) {
  auto it = m.find("n");
  return it != m.end() && it->is_number() ? it->dump() : std::string();
}

std::string arrow(const std::string& direction) {
  return direction == "higher_is_better" ? "↑" : direction == "lower_is_better" ? "↓" : "";
}

// A Markdown table cell: pipes escaped, line breaks flattened.
std::string md_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

// Tasks in summary order, each with its metrics.
std::vector<std::pair<std::string, std::vector<json>>> metrics_by_task(const json& summary) {
  std::vector<std::pair<std::string, std::vector<json>>> tasks;
  for (const auto& m : summary.value("metrics", json::array())) {
    const std::string task = str(m, "task");
    auto it =
        std::find_if(tasks.begin(), tasks.end(), [&](const auto& t) { return t.first == task; });
    if (it == tasks.end()) {
      tasks.push_back({task, {}});
      it = std::prev(tasks.end());
    }
    it->second.push_back(m);
  }
  return tasks;
}

std::string model_name(const json& manifest, const json& summary) {
  const json* id = manifest.contains("roles") ? &manifest["roles"] : nullptr;
  if (id && id->contains("model") && (*id)["model"].contains("identity")) {
    std::string m = str((*id)["model"]["identity"], "model");
    if (!m.empty()) return m;
  }
  return str(summary, "model");
}

}  // namespace

RunData load_run(const fs::path& dir) {
  RunData run;
  run.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw RunFolderError(dir.string() + ": not a folder — give the --out folder of a run");
  }
  if (!fs::exists(dir / "summary.json", ec)) {
    throw RunFolderError((dir / "summary.json").string() + ": not found — is " + dir.string() +
                         " a finished run folder? (finish it with trustllm run --resume)");
  }
  run.summary = read_json_file(dir / "summary.json");
  if (fs::exists(dir / "manifest.json", ec)) run.manifest = read_json_file(dir / "manifest.json");
  if (fs::exists(dir / "samples.jsonl", ec)) run.samples_file = dir / "samples.jsonl";
  return run;
}

const std::vector<std::string>& dimensions() {
  static const std::vector<std::string> kDims = {"truthfulness", "safety",  "fairness",
                                                 "robustness",   "privacy", "ethics"};
  return kDims;
}

std::optional<double> normalised_value(const json& metric) {
  if (str(metric, "status") != "ok") return std::nullopt;
  auto it = metric.find("value");
  if (it == metric.end() || !it->is_number()) return std::nullopt;
  double v = it->get<double>();
  if (std::isnan(v)) return std::nullopt;
  v = std::clamp(v, 0.0, 1.0);
  return str(metric, "direction") == "lower_is_better" ? 1.0 - v : v;
}

bool counts_in_overview(const json& metric) {
  if (metric.contains("derived")) return false;
  return str(metric, "metric").find(':') == std::string::npos;
}

std::vector<DimensionScore> dimension_scores(const json& summary) {
  std::vector<DimensionScore> out;
  for (const auto& d : dimensions()) out.push_back({d, std::nullopt, 0});
  std::map<std::string, double> sums;
  for (const auto& m : summary.value("metrics", json::array())) {
    const std::string dim = str(m, "dimension");
    if (dim.empty()) continue;
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& s) { return s.dimension == dim; });
    if (it == out.end()) {
      out.push_back({dim, std::nullopt, 0});
      it = std::prev(out.end());
    }
    if (!counts_in_overview(m)) continue;
    if (auto v = normalised_value(m)) {
      sums[dim] += *v;
      ++it->metrics;
    }
  }
  for (auto& s : out) {
    if (s.metrics > 0) s.score = sums[s.dimension] / static_cast<double>(s.metrics);
  }
  return out;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv(const RunData& run, std::ostream& out) {
  const char* kEol = "\r\n";  // RFC 4180
  out << "dimension,task,metric,value,n,direction,status,reason" << kEol;
  for (const auto& m : run.summary.value("metrics", json::array())) {
    const std::string fields[] = {str(m, "dimension"), str(m, "task"),
                                  str(m, "metric"),    exact_value(m.value("value", json())),
                                  count_text(m),       str(m, "direction"),
                                  str(m, "status"),    str(m, "reason")};
    for (size_t i = 0; i < std::size(fields); ++i) out << (i ? "," : "") << csv_field(fields[i]);
    out << kEol;
  }
}

void write_markdown(const RunData& run, std::ostream& out) {
  const json& s = run.summary;
  out << "# TrustLLM report: " << md_cell(model_name(run.manifest, s)) << " on "
      << md_cell(str(s, "suite")) << "\n\n";
  out << "## Overview\n\n"
      << "Each dimension's score is the mean of its headline metrics with status ok, each put on "
         "a 0–1 scale where higher is better (value clamped to [0, 1]; 1 − value for ↓ "
         "metrics).\n\n";
  out << "| dimension | score | metrics |\n|---|---:|---:|\n";
  for (const auto& d : dimension_scores(s)) {
    out << "| " << md_cell(d.dimension) << " | "
        << (d.score ? format_value(json(*d.score)) : std::string("—")) << " | " << d.metrics
        << " |\n";
  }
  for (const auto& [task, metrics] : metrics_by_task(s)) {
    const std::string dim = metrics.empty() ? "" : str(metrics.front(), "dimension");
    out << "\n## " << md_cell(task) << (dim.empty() ? "" : " (" + md_cell(dim) + ")") << "\n\n";
    out << "| metric | value | n | direction | status | reason |\n|---|---:|---:|---|---|---|\n";
    for (const auto& m : metrics) {
      const std::string dir = str(m, "direction");
      out << "| " << md_cell(str(m, "metric")) << " | "
          << md_cell(format_value(m.value("value", json()))) << " | " << count_text(m) << " | "
          << arrow(dir) << " " << md_cell(dir) << " | " << md_cell(str(m, "status")) << " | "
          << md_cell(str(m, "reason")) << " |\n";
    }
  }
}

Format parse_format(std::string_view name) {
  if (name == "html") return Format::html;
  if (name == "md" || name == "markdown") return Format::md;
  if (name == "csv") return Format::csv;
  throw std::invalid_argument("unknown report format '" + std::string(name) +
                              "' — use html, md or csv");
}

void write_report_file(const RunData& run, Format format, const fs::path& out) {
  fs::path tmp = out;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) throw std::runtime_error(tmp.string() + ": cannot write — check the folder exists");
      switch (format) {
        case Format::html:
          write_html(run, f);
          break;
        case Format::md:
          write_markdown(run, f);
          break;
        case Format::csv:
          write_csv(run, f);
          break;
      }
      f.flush();
      if (!f) throw std::runtime_error(tmp.string() + ": write failed — is the disk full?");
    }
    fs::rename(tmp, out);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);  // never leave a half-written report behind
    throw;
  }
}

std::optional<fs::path> report_command(const fs::path& run_dir, const std::string& out,
                                       std::string_view format, std::ostream& console) {
  const Format f = parse_format(format);
  const RunData run = load_run(run_dir);
  if (out.empty() && f != Format::html) {
    if (f == Format::md)
      write_markdown(run, console);
    else
      write_csv(run, console);
    console.flush();
    return std::nullopt;
  }
  const fs::path path = out.empty() ? run_dir / "report.html" : fs::path(out);
  write_report_file(run, f, path);
  return path;
}

fs::path write_run_html(const fs::path& run_dir) {
  const fs::path path = run_dir / "report.html";
  write_report_file(load_run(run_dir), Format::html, path);
  return path;
}

}  // namespace trustllm::report
