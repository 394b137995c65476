// The leaderboard as Markdown (for terminals and pull requests) and CSV (for spreadsheets), and
// writing the three leaderboard files of `trustllm compare`.
#include "leaderboard_parts.hpp"

#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace trustllm::report {

namespace {

using json = nlohmann::json;
using detail::rank_text;
using detail::tied_names;
using detail::value_text;

// "0.9000 #1 ≈" — value, rank, and ≈ when tied with another model.
std::string md_metric_cell(const MetricRow& row, size_t r) {
  std::string s = value_text(row.cells[r].value);
  if (row.ranks[r].rank) s += " " + rank_text(row.ranks[r]);
  if (!row.ranks[r].tied_with.empty()) s += " ≈";
  return s;
}

void md_header(const Leaderboard& b, const std::string& first, std::ostream& out) {
  out << "| " << first << " |";
  for (const auto& r : b.runs) out << " " << md_cell(r.name) << " |";
  out << "\n|---|";
  for (size_t i = 0; i < b.runs.size(); ++i) out << "---:|";
  out << "\n";
}

void md_models(const Leaderboard& b, std::ostream& out) {
  out << "## Models\n\n| rank | model | trustworthiness | utility | suite | folder |\n"
         "|---:|---|---:|---:|---|---|\n";
  const std::vector<size_t> order = detail::rank_order(b);
  for (size_t r : order) {
    const auto& run = b.runs[r];
    out << "| " << rank_text(b.overall_rank[r]) << (b.overall_rank[r].tied_with.empty() ? "" : " ≈")
        << " | " << md_cell(run.name) << " | " << value_text(b.overall[r]) << " | "
        << value_text(run.utility) << " | " << md_cell(detail::suite_of(run)) << " | "
        << md_cell(run.given) << " |\n";
  }
}

void md_dimensions(const Leaderboard& b, std::ostream& out) {
  out << "\n## Dimensions\n\nScore (0–1, higher is better) and rank by the mean of the metric "
         "ranks.\n\n";
  md_header(b, "dimension", out);
  for (const auto& d : b.dimensions) {
    out << "| " << md_cell(d.dimension) << " |";
    for (size_t r = 0; r < b.runs.size(); ++r) {
      out << " " << value_text(d.score[r]);
      if (d.rank[r].rank) {
        out << " " << rank_text(d.rank[r]) << (d.rank[r].tied_with.empty() ? "" : " ≈")
            << " (mean rank " << value_text(d.mean_rank[r]) << " over " << d.ranked_metrics[r]
            << ")";
      }
      out << " |";
    }
    out << "\n";
  }
}

void md_views(const Leaderboard& b, std::ostream& out) {
  if (b.views.empty()) return;
  out << "\n## Views\n";
  for (const auto& v : b.views) {
    out << "\n### " << md_cell(v.title) << "\n\n| model | " << md_cell(v.x.label) << " |";
    for (const auto& y : v.y) out << " " << md_cell(y.label) << " |";
    out << "\n|---|---:|";
    for (size_t i = 0; i < v.y.size(); ++i) out << "---:|";
    out << "\n";
    for (size_t r = 0; r < b.runs.size(); ++r) {
      out << "| " << md_cell(b.runs[r].name) << " |";
      std::vector<const ViewAxis*> axes = {&v.x};
      for (const auto& y : v.y) axes.push_back(&y);
      for (const ViewAxis* a : axes) {
        const MetricRow* row = find_metric(b, *a);
        out << " " << (row ? md_metric_cell(*row, r) : std::string("—")) << " |";
      }
      out << "\n";
    }
  }
}

void md_metrics(const Leaderboard& b, std::ostream& out) {
  out << "\n## Metrics\n\nValue and rank (#1 is best); ≈ marks a value tied with another "
         "model's.\n\n| dimension | task.metric | direction |";
  for (const auto& r : b.runs) out << " " << md_cell(r.name) << " |";
  out << "\n|---|---|---|";
  for (size_t i = 0; i < b.runs.size(); ++i) out << "---:|";
  out << "\n";
  for (const auto& m : b.metrics) {
    out << "| " << md_cell(m.dimension) << " | " << md_cell(m.task + "." + m.metric) << " | "
        << direction_arrow(m.direction) << " |";
    for (size_t r = 0; r < b.runs.size(); ++r) out << " " << md_metric_cell(m, r) << " |";
    out << "\n";
  }
}

const char* kEol = "\r\n";  // RFC 4180

struct CsvRow {
  std::string section, dimension, task, metric, direction, label, value;
  std::vector<std::optional<double>> values;  // per run; empty for none
  std::vector<Rank> ranks;                    // per run; empty for none
  std::vector<std::string> texts;             // per run, instead of values (folders)
};

std::string number(const std::optional<double>& v) {
  return v ? exact_number(*v) : std::string();
}

void csv_row(const Leaderboard& b, const CsvRow& row, std::ostream& out) {
  const std::string fixed[] = {row.section,   row.dimension, row.task, row.metric,
                               row.direction, row.label,     row.value};
  for (size_t i = 0; i < std::size(fixed); ++i) out << (i ? "," : "") << csv_field(fixed[i]);
  for (size_t r = 0; r < b.runs.size(); ++r) {
    std::string v = !row.texts.empty()    ? row.texts[r]
                    : !row.values.empty() ? number(row.values[r])
                                          : "";
    std::string rank, ties;
    if (!row.ranks.empty() && row.ranks[r].rank) {
      rank = std::to_string(*row.ranks[r].rank);
      ties = tied_names(b, row.ranks[r], "; ");
    }
    out << "," << csv_field(v) << "," << rank << "," << csv_field(ties);
  }
  out << kEol;
}

std::vector<std::optional<double>> metric_values(const MetricRow& m) {
  std::vector<std::optional<double>> v;
  for (const auto& c : m.cells) v.push_back(c.value);
  return v;
}

void write_file(const fs::path& path, void (*write)(const Leaderboard&, std::ostream&),
                const Leaderboard& b) {
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) throw std::runtime_error(tmp.string() + ": cannot write — check the folder");
      write(b, f);
      f.flush();
      if (!f) throw std::runtime_error(tmp.string() + ": write failed — is the disk full?");
    }
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace

void write_leaderboard_markdown(const Leaderboard& b, std::ostream& out) {
  out << "# TrustLLM leaderboard: " << b.runs.size() << " models\n\n";
  md_models(b, out);
  md_dimensions(b, out);
  md_views(b, out);
  out << "\n## Utility and trustworthiness\n\n"
      << md_cell(detail::correlation_text(b.correlation)) << ".\n";
  md_metrics(b, out);
  out << "\n## How the ranks are computed\n\n";
  for (const auto& rule : detail::rules()) out << "* " << rule << "\n";
}

void write_leaderboard_csv(const Leaderboard& b, std::ostream& out) {
  out << "section,dimension,task,metric,direction,label,value";
  for (const auto& r : b.runs) {
    out << "," << csv_field(r.name) << "," << csv_field(r.name + " rank") << ","
        << csv_field(r.name + " tied_with");
  }
  out << kEol;
  CsvRow folder{"folder", "", "", "", "", "run folder as given", "", {}, {}, {}};
  for (const auto& r : b.runs) folder.texts.push_back(r.given);
  csv_row(b, folder, out);
  csv_row(b,
          {"overall",
           "",
           "",
           "trustworthiness",
           "higher_is_better",
           "mean of the dimension scores",
           "",
           b.overall,
           b.overall_rank,
           {}},
          out);
  std::vector<std::optional<double>> utility;
  for (const auto& r : b.runs) utility.push_back(r.utility);
  csv_row(b, {"utility", "", "", "utility", "", "--utility", "", utility, {}, {}}, out);
  for (const auto& d : b.dimensions) {
    csv_row(b,
            {"dimension_score",
             d.dimension,
             "",
             "score",
             "higher_is_better",
             "mean of the normalised headline metrics",
             "",
             d.score,
             {},
             {}},
            out);
    csv_row(b,
            {"dimension_rank",
             d.dimension,
             "",
             "mean_rank",
             "lower_is_better",
             "rank by the mean of the metric ranks",
             "",
             d.mean_rank,
             d.rank,
             {}},
            out);
  }
  for (const auto& m : b.metrics) {
    csv_row(b,
            {"metric",
             m.dimension,
             m.task,
             m.metric,
             m.direction,
             "",
             "",
             metric_values(m),
             m.ranks,
             {}},
            out);
  }
  for (const auto& v : b.views) {
    auto axis_row = [&](const ViewAxis& a, const std::string& which) {
      const MetricRow* m = find_metric(b, a);
      CsvRow row{"view:" + v.id,
                 m ? m->dimension : "",
                 a.task,
                 a.metric,
                 m ? m->direction : "",
                 which + ": " + a.label,
                 "",
                 {},
                 {},
                 {}};
      if (m) {
        row.values = metric_values(*m);
        row.ranks = m->ranks;
      }
      csv_row(b, row, out);
    };
    axis_row(v.x, "x");
    for (const auto& y : v.y) axis_row(y, "y");
  }
  const Correlation& c = b.correlation;
  const std::string note = c.note.empty() ? "over " + std::to_string(c.n) + " runs" : c.note;
  csv_row(b, {"correlation", "", "", "pearson", "", note, number(c.pearson), {}, {}, {}}, out);
  csv_row(b, {"correlation", "", "", "spearman", "", note, number(c.spearman), {}, {}, {}}, out);
}

std::vector<fs::path> write_leaderboard_files(const Leaderboard& b, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) {
    throw std::runtime_error(dir.string() + ": cannot create the folder" +
                             (ec ? " (" + ec.message() + ")" : std::string()) +
                             " — choose another --out");
  }
  const std::vector<std::pair<fs::path, void (*)(const Leaderboard&, std::ostream&)>> files = {
      {dir / "leaderboard.html", &write_leaderboard_html},
      {dir / "leaderboard.md", &write_leaderboard_markdown},
      {dir / "leaderboard.csv", &write_leaderboard_csv}};
  std::vector<fs::path> written;
  for (const auto& [path, write] : files) {
    write_file(path, write, b);
    written.push_back(path);
  }
  return written;
}

}  // namespace trustllm::report
