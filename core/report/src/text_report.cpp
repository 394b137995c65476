// Run reports shared by every format: reading a run folder, the dimension scores of the
// overview, the positions among a published leaderboard (from the manifest's data; no task or
// metric is known here), and the Markdown and CSV writers (the same per-task metric content as
// the HTML page).
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

// The bounds of an entry's "ci95" as exact texts, or two empty strings.
std::pair<std::string, std::string> interval_bounds(const json& m) {
  auto it = m.find("ci95");
  if (it == m.end() || !it->is_array() || it->size() != 2) return {"", ""};
  return {exact_value((*it)[0]), exact_value((*it)[1])};
}

bool any_interval(const json& summary) {
  for (const auto& m : summary.value("metrics", json::array())) {
    if (!interval_text(m).empty()) return true;
  }
  return false;
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

// ---- positions among a published leaderboard ------------------------------------------------

namespace {

const json* find_published_entry(const json& published, const std::string& task,
                                 const std::string& metric) {
  auto it = published.find("metrics");
  if (it == published.end() || !it->is_array()) return nullptr;
  for (const auto& e : *it) {
    if (e.is_object() && str(e, "task") == task && str(e, "metric") == metric) return &e;
  }
  return nullptr;
}

std::optional<double> finite_number(const json& v) {
  if (!v.is_number()) return std::nullopt;
  const double d = v.get<double>();
  return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

bool same_value(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

// The published values of one entry, in the order of the data's `models` list, then any model
// the list does not name (in the order of the values object).
std::vector<PublishedModel> published_values(const json& published, const json& entry) {
  std::vector<PublishedModel> out;
  auto vals = entry.find("values");
  if (vals == entry.end() || !vals->is_object()) return out;
  std::vector<std::string> order;
  auto models = published.find("models");
  if (models != published.end() && models->is_array()) {
    for (const auto& m : *models) {
      if (m.is_string()) order.push_back(m.get<std::string>());
    }
  }
  for (const auto& [name, v] : vals->items()) {
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  }
  for (const auto& name : order) {
    auto v = vals->find(name);
    if (v == vals->end()) continue;
    if (auto d = finite_number(*v)) out.push_back({name, *d});
  }
  return out;
}

}  // namespace

const json& published_data(const json& manifest) {
  static const json kNull;
  if (!manifest.is_object()) return kNull;
  auto r = manifest.find("report");
  if (r == manifest.end() || !r->is_object()) return kNull;
  auto p = r->find("published");
  return p != r->end() && p->is_object() ? *p : kNull;
}

std::optional<PublishedPosition> published_position(const json& published, const json& metric) {
  if (!published.is_object() || str(metric, "status") != "ok") return std::nullopt;
  const auto value = finite_number(metric.value("value", json()));
  if (!value) return std::nullopt;
  const json* entry = find_published_entry(published, str(metric, "task"), str(metric, "metric"));
  if (!entry) return std::nullopt;
  PublishedPosition p;
  p.column = str(*entry, "column");
  std::string direction = str(*entry, "direction");
  if (direction.empty()) direction = str(metric, "direction");
  if (direction != "higher_is_better" && direction != "lower_is_better") return std::nullopt;
  p.higher_is_better = direction == "higher_is_better";
  if (entry->contains("scale")) {
    const auto scale = finite_number((*entry)["scale"]);
    if (!scale || *scale == 0) return std::nullopt;
    p.scale = *scale;
  }
  p.ours = *value * p.scale;
  p.ranking = published_values(published, *entry);
  if (p.ranking.empty()) return std::nullopt;
  const bool hib = p.higher_is_better;
  auto better = [hib](double a, double b) { return !same_value(a, b) && (hib ? a > b : a < b); };
  std::stable_sort(p.ranking.begin(), p.ranking.end(),
                   [hib](const PublishedModel& a, const PublishedModel& b) {
                     return hib ? a.value > b.value : a.value < b.value;
                   });
  for (const auto& m : p.ranking) {
    if (better(m.value, p.ours)) {
      ++p.position;
      if (!p.next_better.empty() && !same_value(p.next_better.front().value, m.value)) {
        p.next_better.clear();
      }
      p.next_better.push_back(m);  // the ranking is sorted: the last ones are the closest
    } else if (same_value(m.value, p.ours)) {
      p.level.push_back(m);
    } else if (p.next_worse.empty() || same_value(p.next_worse.front().value, m.value)) {
      p.next_worse.push_back(m);
    }
  }
  p.position += 1;
  p.out_of = p.ranking.size() + 1;
  return p;
}

std::string position_text(const PublishedPosition& p) {
  return std::to_string(p.position) + " / " + std::to_string(p.out_of);
}

std::string shortest_number(double v) {
  return json(v).dump();
}

std::string models_text(const std::vector<PublishedModel>& models, std::string_view between) {
  std::string out;
  for (const auto& m : models) {
    if (!out.empty()) out += ", ";
    out += m.model;
    out += between;
    out += shortest_number(m.value);
  }
  return out;
}

std::string neighbours_text(const PublishedPosition& p) {
  std::string out;
  auto part = [&](const char* label, const std::vector<PublishedModel>& ms) {
    if (ms.empty()) return;
    if (!out.empty()) out += "; ";
    out += label;
    out += models_text(ms, " ");
  };
  part("next better: ", p.next_better);
  part("level with: ", p.level);
  part("next worse: ", p.next_worse);
  return out;
}

bool any_published_position(const json& published, const json& summary) {
  if (!published.is_object()) return false;
  for (const auto& m : summary.value("metrics", json::array())) {
    if (published_position(published, m)) return true;
  }
  return false;
}

std::string published_source(const json& manifest) {
  const json& published = published_data(manifest);
  std::string out = str(published, "source");
  std::string file;
  if (manifest.contains("report") && manifest["report"].is_object()) {
    file = str(manifest["report"], "published_file");
  }
  if (!file.empty()) out += (out.empty() ? "" : ", ") + std::string("file ") + file;
  return out.empty() ? std::string("no source given") : out;
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

std::string direction_arrow(std::string_view direction) {
  return direction == "higher_is_better" ? "↑" : direction == "lower_is_better" ? "↓" : "";
}

void write_csv(const RunData& run, std::ostream& out) {
  const char* kEol = "\r\n";  // RFC 4180
  const json& published = published_data(run.manifest);
  out << "dimension,task,metric,value,n,direction,status,reason,ci95_lo,ci95_hi,"
         "published_position,published_out_of,published_column,published_next_better,"
         "published_level,published_next_worse"
      << kEol;
  for (const auto& m : run.summary.value("metrics", json::array())) {
    const auto [lo, hi] = interval_bounds(m);
    const auto pos = published_position(published, m);
    const std::string fields[] = {str(m, "dimension"),
                                  str(m, "task"),
                                  str(m, "metric"),
                                  exact_value(m.value("value", json())),
                                  count_text(m),
                                  str(m, "direction"),
                                  str(m, "status"),
                                  str(m, "reason"),
                                  lo,
                                  hi,
                                  pos ? std::to_string(pos->position) : "",
                                  pos ? std::to_string(pos->out_of) : "",
                                  pos ? pos->column : "",
                                  pos ? models_text(pos->next_better, "=") : "",
                                  pos ? models_text(pos->level, "=") : "",
                                  pos ? models_text(pos->next_worse, "=") : ""};
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
  const json& published = published_data(run.manifest);
  const bool ci = any_interval(s);
  const bool positions = any_published_position(published, s);
  if (positions) {
    out << "\nPublished position: where this run's value would rank among the models of the "
           "published leaderboard ("
        << md_cell(published_source(run.manifest))
        << "): 1 + the published models strictly better, out of the published models with a "
           "value plus this run.\n";
  }
  for (const auto& [task, metrics] : metrics_by_task(s)) {
    const std::string dim = metrics.empty() ? "" : str(metrics.front(), "dimension");
    out << "\n## " << md_cell(task) << (dim.empty() ? "" : " (" + md_cell(dim) + ")") << "\n\n";
    out << "| metric | value |" << (ci ? " 95% interval |" : "") << " n | direction | status | "
        << (positions ? "published position | " : "") << "reason |\n|---|---:|"
        << (ci ? "---|" : "") << "---:|---|---|" << (positions ? "---|" : "") << "---|\n";
    for (const auto& m : metrics) {
      const std::string dir = str(m, "direction");
      out << "| " << md_cell(str(m, "metric")) << " | "
          << md_cell(format_value(m.value("value", json()))) << " | ";
      if (ci) out << interval_text(m) << " | ";
      out << count_text(m) << " | " << direction_arrow(dir) << " " << md_cell(dir) << " | "
          << md_cell(str(m, "status")) << " | ";
      if (positions) {
        if (auto p = published_position(published, m)) {
          out << position_text(*p) << " (" << md_cell(neighbours_text(*p)) << ")";
        }
        out << " | ";
      }
      out << md_cell(str(m, "reason")) << " |\n";
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

fs::path write_run_html(const fs::path& run_dir, const fs::path& sample_block) {
  const fs::path path = run_dir / "report.html";
  RunData run = load_run(run_dir);
  run.sample_block_file = sample_block;
  write_report_file(run, Format::html, path);
  return path;
}

}  // namespace trustllm::report
