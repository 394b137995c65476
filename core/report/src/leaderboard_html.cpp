// The leaderboard as one self-contained HTML page: the models with their trustworthiness score,
// the per-dimension ranks, each view of the manifest as SVG scatter plots drawn here, the utility
// correlation, and every metric's value and rank per model.
//
// Run folders, model names, task and metric ids and view labels are hostile input: every text
// goes through html_escape and the machine-readable copy of the leaderboard is embedded with
// json_for_script. The page has no script at all; its Content-Security-Policy forbids every
// network access and scripts, and allows only its own style (by hash).
#include "leaderboard_parts.hpp"

#include <trustllm/util/sha256.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>

namespace trustllm::report {

namespace {

using json = nlohmann::json;
using detail::rank_text;
using detail::tied_names;
using detail::value_text;

constexpr std::string_view kCss = R"css(
:root { --fg: #1d2430; --muted: #5c6675; --line: #d9dee6; --bg: #ffffff; --band: #f4f6f9;
        --accent: #2f6fb3; --best: #e3f1e3; --tie: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 10px; border-bottom: 1px solid var(--line); background: var(--band); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0 0 8px; color: var(--muted); }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { padding: 8px 28px 40px; max-width: 1500px; }
h2 { margin: 28px 0 10px; font-size: 18px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h3 { margin: 18px 0 8px; font-size: 15px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.best { background: var(--best); }
td.tied { background: var(--tie); }
td.best.tied { background: linear-gradient(90deg, var(--best), var(--tie)); }
.rank { display: inline-block; min-width: 2.2em; margin-left: 6px; color: var(--muted);
        font-size: 12px; }
.tie { color: #9a6a00; font-weight: 700; }
.sub { color: var(--muted); font-size: 12px; }
tr.dim th { background: #e9edf3; text-transform: capitalize; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; }
.note { color: var(--muted); max-width: 980px; }
.views { display: flex; flex-wrap: wrap; gap: 18px; }
svg.scatter { border: 1px solid var(--line); background: #fff; }
svg.scatter .frame { fill: none; stroke: #9aa4b2; }
svg.scatter .grid { stroke: #edf0f4; }
svg.scatter text { font-size: 11px; fill: var(--fg); }
svg.scatter .tick { fill: var(--muted); font-size: 10px; }
svg.scatter .axis-label { font-size: 11px; font-weight: 600; }
svg.scatter .ci { stroke-width: 1.5; opacity: .55; }
svg.scatter .pt { stroke: #fff; stroke-width: 1.5; }
svg .bar-track { fill: #edf0f4; } svg .bar-fill { fill: var(--accent); }
.m0 { fill: #2f6fb3; stroke: #2f6fb3; background: #2f6fb3; }
.m1 { fill: #d1495b; stroke: #d1495b; background: #d1495b; }
.m2 { fill: #2a9d8f; stroke: #2a9d8f; background: #2a9d8f; }
.m3 { fill: #e9a23b; stroke: #e9a23b; background: #e9a23b; }
.m4 { fill: #7b5ea7; stroke: #7b5ea7; background: #7b5ea7; }
.m5 { fill: #6a994e; stroke: #6a994e; background: #6a994e; }
.m6 { fill: #bc6c25; stroke: #bc6c25; background: #bc6c25; }
.m7 { fill: #3d5a80; stroke: #3d5a80; background: #3d5a80; }
svg.scatter .pt.m0, svg.scatter .pt.m1, svg.scatter .pt.m2, svg.scatter .pt.m3,
svg.scatter .pt.m4, svg.scatter .pt.m5, svg.scatter .pt.m6, svg.scatter .pt.m7 { stroke: #fff; }
ul.rules li { margin-bottom: 4px; max-width: 980px; }
)css";

std::string esc(std::string_view s) {
  return html_escape(s);
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// CSP source of a text: 'sha256-<base64 of its SHA-256>'.
std::string csp_hash(std::string_view text) {
  util::Sha256 h;
  h.update(text);
  const auto d = h.digest();
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < d.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(d[i]) << 16;
    if (i + 1 < d.size()) n |= static_cast<uint32_t>(d[i + 1]) << 8;
    if (i + 2 < d.size()) n |= d[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < d.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < d.size() ? kAlphabet[n & 63] : '=';
  }
  return "'sha256-" + out + "'";
}

std::string colour(size_t run) {
  return "m" + std::to_string(run % 8);
}

// ---- data block -----------------------------------------------------------------------------

json opt(const std::optional<double>& v) {
  return v ? json(*v) : json();
}

json rank_json(const Leaderboard& b, const Rank& r) {
  json names = json::array();
  for (size_t i : r.tied_with) names.push_back(b.runs[i].name);
  return {{"rank", r.rank ? json(*r.rank) : json()}, {"tied_with", names}};
}

json board_json(const Leaderboard& b) {
  json runs = json::array();
  for (size_t r = 0; r < b.runs.size(); ++r) {
    json run = {{"name", b.runs[r].name},
                {"folder", b.runs[r].given},
                {"utility", opt(b.runs[r].utility)},
                {"trustworthiness", opt(b.overall[r])}};
    run.update(rank_json(b, b.overall_rank[r]));
    runs.push_back(run);
  }
  json dims = json::array();
  for (const auto& d : b.dimensions) {
    json cells = json::array();
    for (size_t r = 0; r < b.runs.size(); ++r) {
      json c = {{"score", opt(d.score[r])},
                {"mean_rank", opt(d.mean_rank[r])},
                {"ranked_metrics", d.ranked_metrics[r]}};
      c.update(rank_json(b, d.rank[r]));
      cells.push_back(c);
    }
    dims.push_back({{"dimension", d.dimension}, {"cells", cells}});
  }
  json metrics = json::array();
  for (const auto& m : b.metrics) {
    json cells = json::array();
    for (size_t r = 0; r < b.runs.size(); ++r) {
      const auto& c = m.cells[r];
      json cell = {{"value", opt(c.value)}, {"ci95", c.ci95 ? json(*c.ci95) : json()}};
      cell.update(rank_json(b, m.ranks[r]));
      cells.push_back(cell);
    }
    metrics.push_back({{"dimension", m.dimension},
                       {"task", m.task},
                       {"metric", m.metric},
                       {"direction", m.direction},
                       {"headline", m.headline},
                       {"cells", cells}});
  }
  json views = json::array();
  for (const auto& v : b.views) {
    json ys = json::array();
    for (const auto& y : v.y)
      ys.push_back({{"task", y.task}, {"metric", y.metric}, {"label", y.label}});
    views.push_back({{"id", v.id},
                     {"title", v.title},
                     {"x", {{"task", v.x.task}, {"metric", v.x.metric}, {"label", v.x.label}}},
                     {"y", ys}});
  }
  const Correlation& c = b.correlation;
  return {
      {"runs", runs},
      {"dimensions", dims},
      {"metrics", metrics},
      {"views", views},
      {"correlation",
       {{"n", c.n}, {"pearson", opt(c.pearson)}, {"spearman", opt(c.spearman)}, {"note", c.note}}}};
}

// ---- sections -------------------------------------------------------------------------------

void write_models(const Leaderboard& b, std::ostream& out) {
  out << "<section id=\"models\"><h2>Models</h2>\n<table class=\"models\"><tr><th>rank</th>"
         "<th>model</th><th>trustworthiness</th><th></th><th>utility</th><th>suite</th>"
         "<th>run folder</th></tr>\n";
  const std::vector<size_t> order = detail::rank_order(b);
  for (size_t r : order) {
    const auto& run = b.runs[r];
    const Rank& rk = b.overall_rank[r];
    const double w = 160 * std::clamp(b.overall[r].value_or(0.0), 0.0, 1.0);
    out << "<tr data-model=\"" << esc(run.name) << "\"><td class=\"num\">" << rank_text(rk)
        << (rk.tied_with.empty() ? "" : " <span class=\"tie\">≈</span>")
        << "</td><td><span class=\"swatch " << colour(r) << "\"></span>" << esc(run.name)
        << "</td><td class=\"num\">" << value_text(b.overall[r]) << "</td><td>"
        << "<svg width=\"160\" height=\"12\"><rect class=\"bar-track\" width=\"160\" "
           "height=\"12\"/><rect class=\"bar-fill\" width=\""
        << fixed(w, 1) << "\" height=\"12\"/></svg></td><td class=\"num\">"
        << value_text(run.utility) << "</td><td>" << esc(detail::suite_of(run)) << "</td><td><code>"
        << esc(run.given) << "</code></td></tr>\n";
  }
  out << "</table>\n<p class=\"note\">Trustworthiness is the mean of a model's dimension scores "
         "(0–1, higher is better; see the run report). Rank 1 is best.</p></section>\n";
}

void model_header(const Leaderboard& b, std::ostream& out) {
  for (size_t r = 0; r < b.runs.size(); ++r) {
    out << "<th><span class=\"swatch " << colour(r) << "\"></span>" << esc(b.runs[r].name)
        << "</th>";
  }
}

// A value cell with its rank, marked best (rank 1) and tied (≈, with the names in the title).
void rank_cell_html(const Leaderboard& b, const std::string& value, const Rank& rk,
                    const std::string& extra, std::ostream& out) {
  std::string cls = "num";
  if (rk.rank && *rk.rank == 1) cls += " best";
  if (!rk.tied_with.empty()) cls += " tied";
  out << "<td class=\"" << cls << "\"";
  if (!rk.tied_with.empty()) out << " title=\"tied with: " << esc(tied_names(b, rk, ", ")) << "\"";
  out << ">" << value;
  if (rk.rank) out << "<span class=\"rank\">" << rank_text(rk) << "</span>";
  if (!rk.tied_with.empty()) out << "<span class=\"tie\">≈</span>";
  out << extra << "</td>";
}

void write_dimensions(const Leaderboard& b, std::ostream& out) {
  out << "<section id=\"dimensions\"><h2>Dimensions</h2>\n<table class=\"dimensions\"><tr>"
         "<th>dimension</th>";
  model_header(b, out);
  out << "</tr>\n";
  for (const auto& d : b.dimensions) {
    out << "<tr data-dimension=\"" << esc(d.dimension) << "\"><th>" << esc(d.dimension) << "</th>";
    for (size_t r = 0; r < b.runs.size(); ++r) {
      std::string extra;
      if (d.mean_rank[r]) {
        extra = "<br><span class=\"sub\">mean rank " + fixed(*d.mean_rank[r], 2) + " over " +
                std::to_string(d.ranked_metrics[r]) + "</span>";
      }
      rank_cell_html(b, value_text(d.score[r]), d.rank[r], extra, out);
    }
    out << "</tr>\n";
  }
  out << "</table>\n<p class=\"note\">Each cell: the dimension score (0–1, higher is better) "
         "and the rank by the mean of the model's metric ranks in that dimension (headline "
         "metrics on which at least two models are ranked).</p></section>\n";
}

// ---- scatter views --------------------------------------------------------------------------

constexpr double kW = 500, kH = 350, kLeft = 72, kRight = 22, kTop = 18, kBottom = 64;

// A label broken into lines of at most `width` characters at spaces (at most 2 lines, the last
// one shortened with "…").
std::vector<std::string> wrap(const std::string& text, size_t width) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    std::string& line = lines.back();
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(word);
    } else {
      line += (line.empty() ? "" : " ") + word;
    }
    start = end + 1;
  }
  if (lines.size() > 2) {
    lines.resize(2);
    lines[1] += " …";
  }
  return lines;
}

// <tspan>s of a wrapped label, one under the other.
std::string tspans(const std::string& text, size_t width, double x) {
  std::string out;
  const auto lines = wrap(text, width);
  for (size_t i = 0; i < lines.size(); ++i) {
    out += "<tspan x=\"" + fixed(x, 1) + "\" dy=\"" + (i ? "1.2em" : "0") + "\">" + esc(lines[i]) +
           "</tspan>";
  }
  return out;
}

struct Range {
  double lo = 0, hi = 1;
  double at(double v, double from, double to) const {
    return from + (v - lo) / (hi - lo) * (to - from);
  }
};

// The axis range of a metric: [0, 1] when every value (and interval) lies in it, else the data
// range with a margin.
Range range_of(const MetricRow* m) {
  std::vector<double> v;
  if (m) {
    for (const auto& c : m->cells) {
      if (!c.value) continue;
      v.push_back(*c.value);
      if (c.ci95) {
        v.push_back((*c.ci95)[0]);
        v.push_back((*c.ci95)[1]);
      }
    }
  }
  if (v.empty()) return {};
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (*lo >= 0 && *hi <= 1) return {};
  const double pad = *hi > *lo ? (*hi - *lo) * 0.08 : 0.5;
  return {*lo - pad, *hi + pad};
}

void write_scatter(const Leaderboard& b, const View& v, const ViewAxis& y, std::ostream& out) {
  const MetricRow* mx = find_metric(b, v.x);
  const MetricRow* my = find_metric(b, y);
  const Range rx = range_of(mx), ry = range_of(my);
  const double x0 = kLeft, x1 = kW - kRight, y0 = kH - kBottom, y1 = kTop;
  out << "<figure><svg class=\"scatter\" data-view=\"" << esc(v.id) << "\" data-y=\""
      << esc(y.task + "." + y.metric) << "\" width=\"" << kW << "\" height=\"" << kH
      << "\" viewBox=\"0 0 " << kW << " " << kH << "\" role=\"img\" aria-label=\""
      << esc(v.x.label + " against " + y.label) << "\">\n";
  for (int i = 0; i <= 4; ++i) {
    const double f = i / 4.0;
    const double tx = rx.lo + f * (rx.hi - rx.lo), ty = ry.lo + f * (ry.hi - ry.lo);
    const double px = rx.at(tx, x0, x1), py = ry.at(ty, y0, y1);
    out << "<line class=\"grid\" x1=\"" << fixed(px, 1) << "\" y1=\"" << y0 << "\" x2=\""
        << fixed(px, 1) << "\" y2=\"" << y1 << "\"/><line class=\"grid\" x1=\"" << x0 << "\" y1=\""
        << fixed(py, 1) << "\" x2=\"" << x1 << "\" y2=\"" << fixed(py, 1) << "\"/>"
        << "<text class=\"tick\" x=\"" << fixed(px, 1) << "\" y=\"" << y0 + 14
        << "\" text-anchor=\"middle\">" << fixed(tx, 2) << "</text><text class=\"tick\" x=\""
        << x0 - 6 << "\" y=\"" << fixed(py + 3, 1) << "\" text-anchor=\"end\">" << fixed(ty, 2)
        << "</text>\n";
  }
  out << "<rect class=\"frame\" x=\"" << x0 << "\" y=\"" << y1 << "\" width=\"" << x1 - x0
      << "\" height=\"" << y0 - y1 << "\"/>\n"
      << "<text class=\"axis-label\" y=\"" << y0 + 34 << "\" text-anchor=\"middle\">"
      << tspans(v.x.label, 80, (x0 + x1) / 2) << "</text>\n"
      << "<text class=\"axis-label\" transform=\"translate(16," << (y0 + y1) / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << tspans(y.label, 48, 0) << "</text>\n";
  std::map<std::pair<long, long>, int> stacked;  // points drawn at (nearly) the same place
  std::vector<std::string> missing;
  for (size_t r = 0; r < b.runs.size(); ++r) {
    const RankCell* cx = mx ? &mx->cells[r] : nullptr;
    const RankCell* cy = my ? &my->cells[r] : nullptr;
    if (!cx || !cy || !cx->value || !cy->value) {
      missing.push_back(b.runs[r].name);
      continue;
    }
    const double px = rx.at(*cx->value, x0, x1), py = ry.at(*cy->value, y0, y1);
    out << "<g class=\"point\" data-model=\"" << esc(b.runs[r].name) << "\">";
    if (cx->ci95) {
      out << "<line class=\"ci " << colour(r) << "\" x1=\""
          << fixed(rx.at((*cx->ci95)[0], x0, x1), 1) << "\" y1=\"" << fixed(py, 1) << "\" x2=\""
          << fixed(rx.at((*cx->ci95)[1], x0, x1), 1) << "\" y2=\"" << fixed(py, 1) << "\"/>";
    }
    if (cy->ci95) {
      out << "<line class=\"ci " << colour(r) << "\" x1=\"" << fixed(px, 1) << "\" y1=\""
          << fixed(ry.at((*cy->ci95)[0], y0, y1), 1) << "\" x2=\"" << fixed(px, 1) << "\" y2=\""
          << fixed(ry.at((*cy->ci95)[1], y0, y1), 1) << "\"/>";
    }
    const int above = stacked[{std::lround(px / 6), std::lround(py / 6)}]++;
    const bool right_half = px > (x0 + x1) / 2;
    out << "<circle class=\"pt " << colour(r) << "\" cx=\"" << fixed(px, 1) << "\" cy=\""
        << fixed(py, 1) << "\" r=\"5\"><title>" << esc(b.runs[r].name) << ": "
        << value_text(cx->value) << ", " << value_text(cy->value) << "</title></circle>"
        << "<text x=\"" << fixed(px + (right_half ? -8 : 8), 1) << "\" y=\""
        << fixed(py - 7 - 13.0 * above, 1) << "\" text-anchor=\"" << (right_half ? "end" : "start")
        << "\">" << esc(b.runs[r].name) << "</text></g>\n";
  }
  out << "</svg>";
  if (!missing.empty()) {
    std::string names;
    for (const auto& n : missing) names += (names.empty() ? "" : ", ") + n;
    out << "<figcaption class=\"sub\">no value for: " << esc(names) << "</figcaption>";
  }
  out << "</figure>\n";
}

void write_views(const Leaderboard& b, std::ostream& out) {
  out << "<section id=\"views\"><h2>Views</h2>\n";
  if (b.views.empty()) {
    out << "<p class=\"note\">No views: none of the runs' manifests has report.views (a suite's "
           "<code>report: views:</code> block).</p></section>\n";
    return;
  }
  out << "<p class=\"note\">From the suite of " << esc(b.views_source)
      << " (manifest.json report.views). Lines through a point are 95% intervals.</p>\n";
  for (const auto& v : b.views) {
    out << "<div class=\"view\" id=\"view-" << esc(v.id) << "\"><h3>" << esc(v.title)
        << "</h3>\n<div class=\"views\">\n";
    for (const auto& y : v.y) write_scatter(b, v, y, out);
    out << "</div>\n<table class=\"view-table\"><tr><th>model</th><th>" << esc(v.x.label)
        << "</th>";
    for (const auto& y : v.y) out << "<th>" << esc(y.label) << "</th>";
    out << "</tr>\n";
    std::vector<const ViewAxis*> axes = {&v.x};
    for (const auto& y : v.y) axes.push_back(&y);
    for (size_t r = 0; r < b.runs.size(); ++r) {
      out << "<tr><td><span class=\"swatch " << colour(r) << "\"></span>" << esc(b.runs[r].name)
          << "</td>";
      for (const ViewAxis* a : axes) {
        const MetricRow* m = find_metric(b, *a);
        if (m) {
          rank_cell_html(b, value_text(m->cells[r].value), m->ranks[r], "", out);
        } else {
          out << "<td class=\"num\">—</td>";
        }
      }
      out << "</tr>\n";
    }
    out << "</table></div>\n";
  }
  out << "</section>\n";
}

void write_utility(const Leaderboard& b, std::ostream& out) {
  out << "<section id=\"utility\"><h2>Utility and trustworthiness</h2>\n<p class=\""
      << (b.correlation.note.empty() ? "correlation" : "note") << "\">"
      << esc(detail::correlation_text(b.correlation)) << ".</p></section>\n";
}

void write_metrics(const Leaderboard& b, std::ostream& out) {
  out << "<section id=\"metrics\"><h2>Metrics</h2>\n<table class=\"leaderboard\"><tr>"
         "<th>task.metric</th><th>dir.</th>";
  model_header(b, out);
  out << "</tr>\n";
  std::vector<std::string> dims;
  for (const auto& m : b.metrics) {
    if (std::find(dims.begin(), dims.end(), m.dimension) == dims.end()) dims.push_back(m.dimension);
  }
  for (const auto& dim : dims) {
    out << "<tr class=\"dim\"><th colspan=\"" << b.runs.size() + 2 << "\">"
        << esc(dim.empty() ? "(no dimension)" : dim) << "</th></tr>\n";
    for (const auto& m : b.metrics) {
      if (m.dimension != dim) continue;
      out << "<tr data-metric=\"" << esc(m.task + "." + m.metric) << "\"><td>"
          << esc(m.task + "." + m.metric) << "</td><td>" << direction_arrow(m.direction) << "</td>";
      for (size_t r = 0; r < b.runs.size(); ++r) {
        const auto& c = m.cells[r];
        std::string extra;
        if (c.ci95) {
          extra = "<br><span class=\"sub\">[" + value_text((*c.ci95)[0]) + ", " +
                  value_text((*c.ci95)[1]) + "]</span>";
        }
        rank_cell_html(b, value_text(c.value), m.ranks[r], extra, out);
      }
      out << "</tr>\n";
    }
  }
  out << "</table>\n<p class=\"note\">Value, rank (#1 is best) and, when summary.json has one, "
         "the 95% interval. Green: rank 1; yellow with ≈: tied with another model (hover for "
         "the names). — : no value (skipped or missing).</p></section>\n";
}

void write_rules(std::ostream& out) {
  out << "<section id=\"rules\"><h2>How the ranks are computed</h2>\n<ul class=\"rules\">";
  for (const auto& r : detail::rules()) out << "<li>" << esc(r) << "</li>";
  out << "</ul></section>\n";
}

}  // namespace

void write_leaderboard_html(const Leaderboard& b, std::ostream& out) {
  std::string names;
  for (const auto& r : b.runs) names += (names.empty() ? "" : " · ") + r.name;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "script-src 'none'; style-src "
      << csp_hash(kCss) << "; img-src data:; base-uri 'none'; form-action 'none'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>TrustLLM leaderboard: " << b.runs.size() << " models</title>\n<style>" << kCss
      << "</style>\n</head>\n<body>\n<header><h1>TrustLLM leaderboard: " << b.runs.size()
      << " models</h1><p>" << esc(names) << "</p>"
      << "<nav><a href=\"#models\">Models</a><a href=\"#dimensions\">Dimensions</a>"
         "<a href=\"#views\">Views</a><a href=\"#utility\">Utility</a>"
         "<a href=\"#metrics\">Metrics</a><a href=\"#rules\">Rules</a></nav></header>\n<main>\n";
  write_models(b, out);
  write_dimensions(b, out);
  write_views(b, out);
  write_utility(b, out);
  write_metrics(b, out);
  write_rules(out);
  out << "</main>\n<script type=\"application/json\" id=\"tlm-leaderboard\">"
      << json_for_script(board_json(b)) << "</script>\n</body>\n</html>\n";
}

}  // namespace trustllm::report
