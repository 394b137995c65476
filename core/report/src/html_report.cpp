// The HTML report of a run: one self-contained page with the six-dimension overview (an SVG
// radar drawn here), the per-task metric tables (with 95% intervals and the positions among a
// published leaderboard when the run has them), a sample browser and the manifest.
//
// Everything read from the run is hostile (model output, prompts, judge replies, even task
// names): text goes through html_escape, the samples are embedded as JSON in a
// <script type="application/json"> block written by json_for_script, and the page's own script
// renders them with textContent only. A Content-Security-Policy allows no network access and
// only the page's own script and style (by hash).
#include <trustllm/report/assets.hpp>
#include <trustllm/report/outputs.hpp>
#include <trustllm/report/run_report.hpp>
#include <trustllm/util/sha256.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <fstream>
#include <mutex>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace trustllm::report {

namespace {

using json = nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A member of a nested object, or null: at(j, {"roles", "model", "identity"}).
const json& at(const json& j, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return kNull;
    auto it = cur->find(key);
    if (it == cur->end()) return kNull;
    cur = &*it;
  }
  return *cur;
}

// Any JSON value as short text for a table cell (strings unquoted).
std::string plain(const json& v) {
  if (v.is_null()) return "—";
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string esc(const json& v) {
  return html_escape(plain(v));
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Standard base64 of the bytes written as hex digits (for CSP hashes).
std::string hex_to_base64(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::string csp_hash(std::string_view text) {
  return "'sha256-" + hex_to_base64(util::sha256_hex(text)) + "'";
}

std::string direction_text(const std::string& d) {
  if (d == "higher_is_better") return "↑ higher is better";
  if (d == "lower_is_better") return "↓ lower is better";
  return d;
}

// ---- overview -----------------------------------------------------------------------------

constexpr double kCx = 230, kCy = 190, kRadius = 125;

std::pair<double, double> radar_point(size_t i, size_t count, double r) {
  const double angle = -std::numbers::pi / 2 +
                       2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(count);
  return {kCx + r * std::cos(angle), kCy + r * std::sin(angle)};
}

std::string points_text(const std::vector<std::pair<double, double>>& pts) {
  std::string s;
  for (const auto& [x, y] : pts) {
    if (!s.empty()) s += ' ';
    s += fixed(x, 1);
    s += ',';
    s += fixed(y, 1);
  }
  return s;
}

void write_radar(const std::vector<DimensionScore>& scores, std::ostream& out) {
  const size_t n = scores.size();
  out << "<svg class=\"radar\" id=\"radar\" width=\"460\" height=\"390\" viewBox=\"0 0 460 390\" "
         "role=\"img\" aria-label=\"Dimension scores, 0 to 1, higher is better\">\n";
  for (double ring : {0.25, 0.5, 0.75, 1.0}) {
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < n; ++i) pts.push_back(radar_point(i, n, kRadius * ring));
    out << "<polygon class=\"ring\" points=\"" << points_text(pts) << "\"/>\n";
  }
  std::vector<std::pair<double, double>> area;
  for (size_t i = 0; i < n; ++i) {
    const auto& s = scores[i];
    const auto [ex, ey] = radar_point(i, n, kRadius);
    const auto [lx, ly] = radar_point(i, n, kRadius + 24);
    const double dx = lx - kCx;
    const char* anchor = std::abs(dx) < 1 ? "middle" : dx > 0 ? "start" : "end";
    out << "<g class=\"axis\" data-dimension=\"" << html_escape(s.dimension) << "\">"
        << "<line class=\"spoke\" x1=\"" << kCx << "\" y1=\"" << kCy << "\" x2=\"" << fixed(ex, 1)
        << "\" y2=\"" << fixed(ey, 1) << "\"/>"
        << "<text x=\"" << fixed(lx, 1) << "\" y=\"" << fixed(ly, 1) << "\" text-anchor=\""
        << anchor << "\">" << html_escape(s.dimension) << "</text>"
        << "<text class=\"score\" x=\"" << fixed(lx, 1) << "\" y=\"" << fixed(ly + 14, 1)
        << "\" text-anchor=\"" << anchor << "\">"
        << (s.score ? fixed(*s.score, 3) : std::string("n/a")) << "</text></g>\n";
    area.push_back(radar_point(i, n, kRadius * s.score.value_or(0.0)));
  }
  out << "<polygon class=\"area\" points=\"" << points_text(area) << "\"/>\n";
  for (size_t i = 0; i < n; ++i) {
    if (!scores[i].score) continue;
    out << "<circle class=\"dot\" cx=\"" << fixed(area[i].first, 1) << "\" cy=\""
        << fixed(area[i].second, 1) << "\" r=\"3\"/>\n";
  }
  out << "</svg>\n";
}

void write_score_table(const std::vector<DimensionScore>& scores, std::ostream& out) {
  out << "<table class=\"scores\"><tr><th>dimension</th><th>score</th><th></th>"
         "<th>metrics</th></tr>\n";
  for (const auto& s : scores) {
    const double w = 160 * s.score.value_or(0.0);
    out << "<tr><td>" << html_escape(s.dimension) << "</td><td class=\"num\">"
        << (s.score ? fixed(*s.score, 3) : std::string("n/a")) << "</td><td>"
        << "<svg class=\"bar\" width=\"160\" height=\"12\"><rect class=\"track\" width=\"160\" "
           "height=\"12\"/><rect class=\"fill\" width=\""
        << fixed(w, 1) << "\" height=\"12\"/></svg></td><td class=\"num\">" << s.metrics
        << "</td></tr>\n";
  }
  out << "</table>\n";
}

void write_overview(const RunData& run, std::ostream& out) {
  const auto scores = dimension_scores(run.summary);
  out << "<section id=\"overview\"><h2>Overview</h2>\n<div class=\"overview\">\n";
  write_radar(scores, out);
  out << "<div>";
  write_score_table(scores, out);
  out << "<p class=\"note\">Each dimension's score is the mean of its headline metrics with "
         "status ok, each put on a 0–1 scale where higher is better: the value clamped to "
         "[0, 1], and 1 − value for metrics where lower is better (↓). Per-group breakdowns "
         "(ids with a colon) and derived means are not counted again. p-values and Pearson "
         "correlations are used as they are (a negative correlation counts as 0). The raw "
         "values and their directions are in the tables below; see docs/reports.md.</p>"
         "</div>\n</div></section>\n";
}

// ---- per-task tables ----------------------------------------------------------------------

bool any_ci(const json& summary) {
  for (const auto& m : summary.value("metrics", json::array())) {
    if (m.contains("ci95")) return true;
  }
  return false;
}

// "%.4g" of a value in published units (this run's value there).
std::string short_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// The tooltip of a published position: the rule, then every published model best first with
// this run in its place.
std::string position_tooltip(const PublishedPosition& p) {
  std::string ours = "this run " + short_value(p.ours);
  if (p.scale != 1) ours += " (its value × " + shortest_number(p.scale) + ")";
  std::string t = "Published column \"" + p.column + "\" (" +
                  (p.higher_is_better ? "↑ higher" : "↓ lower") + " is better): " + ours +
                  " would rank " + position_text(p) +
                  ", i.e. 1 + the published models strictly better.\n";
  size_t i = 0;
  for (; i < p.ranking.size() && i + 1 < p.position; ++i) {
    t += p.ranking[i].model + "  " + shortest_number(p.ranking[i].value) + "\n";
  }
  t += "▶ " + ours + "\n";
  for (; i < p.ranking.size(); ++i) {
    t += p.ranking[i].model + "  " + shortest_number(p.ranking[i].value) + "\n";
  }
  t.pop_back();
  return t;
}

void write_position_cell(const json& published, const json& m, std::ostream& out) {
  out << "<td class=\"published\">";
  if (auto p = published_position(published, m)) {
    out << "<span class=\"pos\" title=\"" << html_escape(position_tooltip(*p)) << "\">"
        << position_text(*p) << "</span><span class=\"near\">" << html_escape(neighbours_text(*p))
        << "</span>";
  }
  out << "</td>";
}

void write_metric_row(const json& m, bool ci, const json* published, std::ostream& out) {
  const std::string status = str(m, "status");
  out << "<tr class=\"" << (status == "ok" ? "ok" : "skipped") << "\"><td>"
      << html_escape(str(m, "metric")) << "</td><td class=\"num\">"
      << html_escape(format_value(m.value("value", json()))) << "</td>";
  if (ci) {
    out << "<td class=\"num ci\">" << html_escape(interval_text(m)) << "</td>";
  }
  auto norm = normalised_value(m);
  std::string contribution = norm ? fixed(*norm, 3) : "—";
  if (norm && !counts_in_overview(m)) contribution += " (not counted)";
  out << "<td class=\"num\">" << (m.contains("n") ? esc(m["n"]) : "") << "</td><td class=\"num\">"
      << (m.contains("excluded") && m["excluded"].is_number() ? esc(m["excluded"]) : "")
      << "</td><td>" << html_escape(direction_text(str(m, "direction")))
      << "</td><td class=\"num\">" << contribution << "</td><td class=\"status-"
      << (status == "ok" ? "ok" : "skipped") << "\">" << html_escape(status) << "</td>";
  if (published) write_position_cell(*published, m, out);
  out << "<td>" << html_escape(str(m, "reason")) << "</td></tr>\n";
}

void write_tasks(const RunData& run, std::ostream& out) {
  const json metrics = run.summary.value("metrics", json::array());
  const bool ci = any_ci(run.summary);
  const json& published_json = published_data(run.manifest);
  const json* published =
      any_published_position(published_json, run.summary) ? &published_json : nullptr;
  out << "<section id=\"tasks\"><h2>Tasks</h2>\n";
  if (published) {
    out << "<p class=\"note\" id=\"published-note\">Published position: the rank this run "
           "would take among the models of a published leaderboard, 1 + the published models "
           "strictly better, out of those with a value plus this run. The closest models are "
           "named under it; hover for all. Source: "
        << html_escape(published_source(run.manifest)) << ".</p>\n";
  }
  std::vector<std::string> tasks;
  for (const auto& m : metrics) {
    const std::string t = str(m, "task");
    if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
  }
  if (tasks.empty()) out << "<p class=\"note\">This run has no metrics.</p>\n";
  for (const auto& task : tasks) {
    std::string dim;
    for (const auto& m : metrics) {
      if (str(m, "task") == task) dim = str(m, "dimension");
    }
    out << "<h3 id=\"task-" << html_escape(task) << "\">" << html_escape(task)
        << " <span class=\"dim\">" << html_escape(dim) << "</span></h3>\n"
        << "<table class=\"metrics\"><tr><th>metric</th><th>value</th>"
        << (ci ? "<th>95% interval</th>" : "")
        << "<th>n</th><th>excluded</th><th>direction</th><th>score (0–1, ↑)</th><th>status</th>"
        << (published ? "<th>published position</th>" : "") << "<th>reason</th></tr>\n";
    for (const auto& m : metrics) {
      if (str(m, "task") == task) write_metric_row(m, ci, published, out);
    }
    out << "</table>\n";
  }
  out << "</section>\n";
}

// ---- samples ------------------------------------------------------------------------------

// The part of a samples.jsonl line the browser shows (browser_record_json).
std::string browser_record_text(const json& s) {
  auto member = [&](const char* key) {
    auto it = s.find(key);
    return it != s.end() ? it->dump(-1, ' ', false, json::error_handler_t::replace)
                         : std::string("null");
  };
  return browser_record_json(str(s, "task"), s.contains("id") ? plain(s["id"]) : "",
                             member("prompt"), member("response"), str(s, "status"),
                             str(at(s, {"response_meta"}), "finish_reason"),
                             at(s, {"evaluations"}));
}

// One samples.jsonl line as the browser's JSON text, or "" for a line to skip (blank, or the
// torn last line of a killed run).
std::string render_sample_line(const std::string& line) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return {};
  json s = json::parse(line, nullptr, false);
  if (s.is_discarded() || !s.is_object()) return {};
  return script_escape(browser_record_text(s));
}

// Streams samples.jsonl into the page as one escaped JSON array; returns the count. Lines are
// read in batches and rendered on every core (parsing and re-serialising each sample is most
// of the report's cost), then written in file order: the output does not depend on the thread
// count, and memory stays bounded by one batch.
size_t write_sample_data(const RunData& run, std::ostream& out) {
  out << "<script type=\"application/json\" id=\"tlm-samples\">[";
  size_t count = 0;
  if (!run.sample_block_file.empty()) {
    // Rendered by the run while it wrote samples.jsonl: one escaped record per line.
    std::ifstream f(run.sample_block_file, std::ios::binary);
    if (!f) throw std::runtime_error(run.sample_block_file.string() + ": cannot read");
    std::string line;
    while (std::getline(f, line)) out << (count++ ? ",\n" : "\n") << line;
  } else if (!run.samples_file.empty()) {
    std::ifstream f(run.samples_file, std::ios::binary);
    if (!f) throw std::runtime_error(run.samples_file.string() + ": cannot read");
    constexpr size_t kBatch = 4096;
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::string> lines, rendered;
    lines.reserve(kBatch);
    auto flush = [&] {
      rendered.assign(lines.size(), std::string());
      std::atomic<size_t> next{0};
      std::mutex error_mutex;
      std::exception_ptr error;
      auto work = [&] {
        try {
          for (size_t i = next++; i < lines.size(); i = next++) {
            rendered[i] = render_sample_line(lines[i]);
          }
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
          next = lines.size();
        }
      };
      std::vector<std::thread> pool;
      for (unsigned t = 1; t < threads && t * 64 < lines.size(); ++t) pool.emplace_back(work);
      work();
      for (auto& t : pool) t.join();
      if (error) std::rethrow_exception(error);
      for (const std::string& r : rendered) {
        if (!r.empty()) out << (count++ ? ",\n" : "\n") << r;
      }
      lines.clear();
    };
    std::string line;
    while (std::getline(f, line)) {
      lines.push_back(std::move(line));
      if (lines.size() == kBatch) flush();
    }
    flush();
  }
  out << "]</script>\n";
  return count;
}

void write_sample_browser(const RunData& run, std::ostream& out) {
  out << "<section id=\"samples\"><h2>Samples</h2>\n"
         "<div class=\"controls\">"
         "<label>task <select id=\"f-task\"><option value=\"\">all tasks</option></select>"
         "</label>"
         "<label>outcome <select id=\"f-outcome\"><option value=\"\">any</option>"
         "<option value=\"refused\">refused</option><option value=\"correct\">correct</option>"
         "<option value=\"wrong\">wrong</option>"
         "<option value=\"unparsable\">unparsable (excluded)</option>"
         "<option value=\"failed\">evaluation failed</option>"
         "<option value=\"none\">no outcome</option></select></label>"
         "<input type=\"search\" id=\"f-query\" placeholder=\"search prompts, responses, "
         "evaluations\" aria-label=\"search\">"
         "</div>\n"
         "<div class=\"pager\"><button id=\"page-prev\" type=\"button\">◀ previous</button>"
         "<span id=\"sample-info\">(the sample browser needs JavaScript)</span>"
         "<button id=\"page-next\" type=\"button\">next ▶</button></div>\n"
         "<div id=\"sample-list\"></div>\n";
  const size_t n = write_sample_data(run, out);
  if (n == 0) out << "<p class=\"note\">No samples.jsonl in this run folder.</p>\n";
  out << "</section>\n";
}

// ---- manifest -----------------------------------------------------------------------------

void row(std::ostream& out, std::string_view name, const std::string& value) {
  out << "<tr><th>" << html_escape(name) << "</th><td>" << value << "</td></tr>\n";
}

void write_usage(const json& manifest, std::ostream& out) {
  const json& usage = at(manifest, {"usage"});
  if (!usage.is_object() || usage.empty()) return;
  out << "<h3>Model calls and tokens</h3>\n<table><tr><th>role</th><th>calls</th>"
         "<th>cache hits</th><th>prompt tokens</th><th>completion tokens</th><th>retries</th>"
         "<th>failures</th></tr>\n";
  for (const auto& [role, u] : usage.items()) {
    out << "<tr><td>" << html_escape(role) << "</td>";
    for (const char* k :
         {"calls", "cache_hits", "prompt_tokens", "completion_tokens", "retries", "failures"}) {
      out << "<td class=\"num\">" << esc(at(u, {k})) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

void write_roles(const json& manifest, std::ostream& out) {
  const json& roles = at(manifest, {"roles"});
  if (!roles.is_object() || roles.empty()) return;
  out << "<h3>Models</h3>\n<table><tr><th>role</th><th>plugin</th><th>backend</th>"
         "<th>model</th><th>endpoint</th><th>file</th></tr>\n";
  for (const auto& [role, r] : roles.items()) {
    const json& id = at(r, {"identity"});
    out << "<tr><td>" << html_escape(role) << "</td><td>" << esc(at(r, {"plugin"})) << "</td><td>"
        << esc(at(id, {"backend"})) << "</td><td>" << esc(at(id, {"model"})) << "</td><td>"
        << esc(at(id, {"endpoint"})) << "</td><td>" << esc(at(r, {"source"})) << "</td></tr>\n";
  }
  out << "</table>\n";
}

void write_datasets(const json& manifest, std::ostream& out) {
  const json& ds = at(manifest, {"datasets"});
  if (!ds.is_array() || ds.empty()) return;
  out << "<h3>Datasets</h3>\n<table><tr><th>task</th><th>dimension</th><th>items</th>"
         "<th>file</th><th>sha256</th></tr>\n";
  for (const auto& d : ds) {
    const json& files = at(d, {"info", "files"});
    const size_t rows = files.is_array() && !files.empty() ? files.size() : 1;
    for (size_t i = 0; i < rows; ++i) {
      const json& f = files.is_array() && i < files.size() ? files[i] : json();
      out << "<tr><td>" << esc(at(d, {"task"})) << "</td><td>" << esc(at(d, {"dimension"}))
          << "</td><td class=\"num\">" << esc(at(d, {"info", "items"})) << "</td><td>"
          << esc(at(f, {"path"})) << "</td><td class=\"hash\">" << esc(at(f, {"sha256"}))
          << "</td></tr>\n";
    }
  }
  out << "</table>\n";
}

void write_plugins(const json& manifest, std::ostream& out) {
  const json& ps = at(manifest, {"plugins"});
  if (!ps.is_array() || ps.empty()) return;
  out << "<h3>Plugins</h3>\n<table><tr><th>name</th><th>kind</th><th>version</th>"
         "<th>library</th></tr>\n";
  for (const auto& p : ps) {
    out << "<tr><td>" << esc(at(p, {"name"})) << "</td><td>" << esc(at(p, {"kind"})) << "</td><td>"
        << esc(at(p, {"version"})) << "</td><td>" << esc(at(p, {"library"})) << "</td></tr>\n";
  }
  out << "</table>\n";
}

// "percentile bootstrap, 1000 resamples, seed 2024", or why there are no intervals.
std::string bootstrap_text(const json& b) {
  const json& n = at(b, {"resamples"});
  if (!n.is_number()) return "—";
  if (n.get<double>() <= 0) return "off (--bootstrap 0)";
  return "percentile bootstrap, " + esc(n) + " resamples, seed " + esc(at(b, {"seed"}));
}

void write_manifest(const RunData& run, std::ostream& out) {
  const json& m = run.manifest;
  out << "<section id=\"manifest\"><h2>Manifest</h2>\n";
  if (!m.is_object() || m.empty()) {
    out << "<p class=\"note\">No manifest.json in this run folder.</p></section>\n";
    return;
  }
  const json& id = at(m, {"roles", "model", "identity"});
  out << "<table class=\"manifest\">\n";
  row(out, "model", esc(at(id, {"model"})));
  row(out, "backend", esc(at(id, {"backend"})));
  row(out, "suite", esc(at(m, {"suite", "name"})) + " (" + esc(at(m, {"suite", "file"})) + ")");
  row(out, "trustllm version", esc(at(m, {"trustllm_version"})));
  row(out, "plugin ABI", esc(at(m, {"abi"})));
  row(out, "seed", esc(at(m, {"seed"})));
  row(out, "95% intervals", bootstrap_text(at(m, {"bootstrap"})));
  if (published_data(m).is_object()) {
    row(out, "published leaderboard", html_escape(published_source(m)));
  }
  row(out, "started", esc(at(m, {"started_at"})));
  row(out, "finished", esc(at(m, {"finished_at"})));
  const json& dur = at(m, {"duration_seconds"});
  row(out, "duration", dur.is_number() ? fixed(dur.get<double>(), 1) + " s" : "—");
  row(out, "failed samples", esc(at(m, {"failed_samples"})));
  row(out, "limit per task", esc(at(m, {"config", "limit"})));
  row(out, "command", "<code>" + esc(at(m, {"command"})) + "</code>");
  out << "</table>\n";
  write_roles(m, out);
  write_usage(m, out);
  write_datasets(m, out);
  write_plugins(m, out);
  out << "<details><summary>full manifest.json</summary><pre class=\"json\">"
      << html_escape(m.dump(2, ' ', false, json::error_handler_t::replace))
      << "</pre></details>\n</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string script_escape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 16);
  for (size_t i = 0; i < raw.size(); ++i) {
    switch (raw[i]) {
      case '<':
        out += "\\u003c";
        continue;
      case '>':
        out += "\\u003e";
        continue;
      case '&':
        out += "\\u0026";
        continue;
      default:
        break;
    }
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
    if (raw[i] == '\xE2' && i + 2 < raw.size() && raw[i + 1] == '\x80' &&
        (raw[i + 2] == '\xA8' || raw[i + 2] == '\xA9')) {
      out += raw[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += raw[i];
  }
  return out;
}

std::string json_for_script(const json& value) {
  return script_escape(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string records_outcome(const json& records) {
  bool refused = false, correct = false, wrong = false, unparsable = false, failed = false;
  if (!records.is_object()) return "";
  for (const auto& [name, r] : records.items()) {
    if (!r.is_object()) continue;
    if (r.value("failed", false) == true) {
      failed = true;
      continue;
    }
    if (r.value("excluded", false) == true) {
      if (str(r, "reason") != "filtered out") unparsable = true;
      continue;
    }
    const json& ref = at(r, {"refused"});
    if (ref.is_boolean() && ref.get<bool>()) refused = true;
    const json& cor = at(r, {"correct"});
    if (cor.is_boolean()) (cor.get<bool>() ? correct : wrong) = true;
  }
  if (refused) return "refused";
  if (wrong) return "wrong";
  if (correct) return "correct";
  if (unparsable) return "unparsable";
  if (failed) return "failed";
  return "";
}

std::string sample_outcome(const json& sample) { return records_outcome(at(sample, {"evaluations"})); }

std::string browser_record_json(std::string_view task, std::string_view id,
                                std::string_view prompt_json, std::string_view response_json,
                                std::string_view status, std::string_view finish_reason,
                                const json& records) {
  auto text = [](std::string_view v) {
    return json(std::string(v)).dump(-1, ' ', false, json::error_handler_t::replace);
  };
  std::string out = "{\"evaluations\":{";
  if (records.is_object()) {
    bool first = true;
    for (const auto& [name, rec] : records.items()) {
      if (rec.is_object() && str(rec, "reason") == "filtered out") continue;
      if (!first) out += ',';
      first = false;
      out += text(name);
      out += ':';
      out += rec.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  out += '}';
  if (!finish_reason.empty()) out += ",\"finish_reason\":" + text(finish_reason);
  out += ",\"id\":" + text(id);
  out += ",\"outcome\":" + text(records_outcome(records));
  out += ",\"prompt\":";
  out += prompt_json;
  out += ",\"response\":";
  out += response_json;
  out += ",\"status\":" + text(status);
  out += ",\"task\":" + text(task);
  out += '}';
  return out;
}

void write_html(const RunData& run, std::ostream& out) {
  const std::string model = plain(at(run.manifest, {"roles", "model", "identity", "model"}));
  const std::string model_text = model != "—" ? model : str(run.summary, "model");
  const std::string suite = str(run.summary, "suite");
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src "
      << csp_hash(assets::kJs) << "; style-src " << csp_hash(assets::kCss)
      << "; img-src data:; base-uri 'none'; form-action 'none'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>TrustLLM report: " << html_escape(model_text) << " on " << html_escape(suite)
      << "</title>\n<style>" << assets::kCss << "</style>\n</head>\n<body>\n<header><h1>"
      << "TrustLLM report: " << html_escape(model_text) << "</h1><p>suite " << html_escape(suite)
      << " · finished " << esc(at(run.manifest, {"finished_at"})) << " · "
      << html_escape(run.dir.string()) << "</p>"
      << "<nav><a href=\"#overview\">Overview</a><a href=\"#tasks\">Tasks</a>"
         "<a href=\"#samples\">Samples</a><a href=\"#manifest\">Manifest</a></nav></header>\n"
      << "<main>\n";
  write_overview(run, out);
  write_tasks(run, out);
  write_sample_browser(run, out);
  write_manifest(run, out);
  out << "</main>\n<script>" << assets::kJs << "</script>\n</body>\n</html>\n";
}

}  // namespace trustllm::report
