// Reports of a finished run folder (manifest.json, summary.json, samples.jsonl): one
// self-contained HTML page (overview chart, per-task tables, sample browser, manifest), or the
// same metric content as Markdown or CSV. Model output is hostile input: everything taken from
// the run is escaped; see docs/reports.md.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace trustllm::report {

namespace fs = std::filesystem;

// The files of one run folder. Samples are streamed from `samples_file` when a page is written,
// never held in memory whole.
struct RunData {
  fs::path dir;
  nlohmann::json manifest = nlohmann::json::object();  // {} when manifest.json is absent
  nlohmann::json summary = nlohmann::json::object();
  fs::path samples_file;  // empty when samples.jsonl is absent
  // The sample browser's records, already rendered (browser_record_json, script_escape; one per
  // line) by the run that wrote samples.jsonl; when set, the page embeds them instead of
  // rendering samples.jsonl again.
  fs::path sample_block_file;
};

// Reads a run folder. Throws std::runtime_error (one line, with a fix) when summary.json is
// missing or unreadable; manifest.json and samples.jsonl are optional.
RunData load_run(const fs::path& dir);

// The six TrustLLM dimensions, in the order the overview draws them.
const std::vector<std::string>& dimensions();

// A metric's value on a 0..1 "higher is better" scale: the value clamped to [0, 1], then
// 1 - value for lower_is_better metrics. nullopt when the metric is not ok or has no number.
std::optional<double> normalised_value(const nlohmann::json& metric);

// Whether a metric counts towards its dimension's score: headline metrics only, i.e. not the
// per-group breakdowns ("rta:cot", id with ':') and not derived means of other metrics.
bool counts_in_overview(const nlohmann::json& metric);

struct DimensionScore {
  std::string dimension;
  std::optional<double> score;  // mean of the normalised ok headline metrics; nullopt if none
  size_t metrics = 0;           // how many metrics the mean is over
};

// One entry per dimension of dimensions(), plus any other dimension found in the summary.
std::vector<DimensionScore> dimension_scores(const nlohmann::json& summary);

// ---- positions among a published leaderboard ------------------------------------------------
//
// The suite's `report: published:` file (configs/leaderboard/) reaches the run folder as
// manifest.json "report"."published": {"source", "models": [names in display order], "metrics":
// [{"task", "metric", "column", "direction", "scale", "values": {model: number}}]}. Nothing
// here knows a task or metric: a summary entry gets a position when an entry of that data has
// the same task and metric.

struct PublishedModel {
  std::string model;
  double value = 0;  // in published units
};

struct PublishedPosition {
  std::string column;                   // the published column name ("" when the data has none)
  bool higher_is_better = true;         // the published column's direction (else the metric's)
  double scale = 1;                     // published value = our value x scale
  double ours = 0;                      // this run's value in published units
  size_t position = 0;                  // 1 + the published models strictly better than this run
  size_t out_of = 0;                    // the published models with a value, + 1 for this run
  std::vector<PublishedModel> ranking;  // every published model with a value, best first
  std::vector<PublishedModel> next_better;  // the worst of the strictly better (equal values)
  std::vector<PublishedModel> level;        // the published models with this run's value
  std::vector<PublishedModel> next_worse;   // the best of the strictly worse (equal values)
};

// manifest "report"."published", or null when the run has no published leaderboard.
const nlohmann::json& published_data(const nlohmann::json& manifest);

// The position of one summary.json metric entry among the published models: nullopt when the
// entry is not ok with a finite number, when `published` has no entry with the same task and
// metric, or when that entry has no numeric value or no usable scale and direction. Values
// closer than 1e-9 (relative) count as equal: a model is strictly better only beyond that.
std::optional<PublishedPosition> published_position(const nlohmann::json& published,
                                                    const nlohmann::json& metric);

// "3 / 22".
std::string position_text(const PublishedPosition& p);

// "GPT-4 0.914, ERNIE 0.914" (published values as their shortest text).
std::string models_text(const std::vector<PublishedModel>& models, std::string_view between);

// "next better: GPT-4 0.914; level with: ...; next worse: Llama3-70b 0.884" (parts left out when
// empty).
std::string neighbours_text(const PublishedPosition& p);

// A number as the shortest text that reads back as the same double ("0.914", "97.42").
std::string shortest_number(double v);

// Whether any metric of `summary` has a position among `published`.
bool any_published_position(const nlohmann::json& published, const nlohmann::json& summary);

// "<source>, file <published_file>" of the manifest's published leaderboard.
std::string published_source(const nlohmann::json& manifest);

// What happened to one sample, from its evaluation records: "refused", "correct", "wrong",
// "unparsable" (excluded by a metric, e.g. no label found), "failed" (an evaluation failed), or
// "" when no record says. Records excluded as "filtered out" are ignored.
std::string sample_outcome(const nlohmann::json& sample);
// The same, from a sample's evaluation records ({metric key: record}).
std::string records_outcome(const nlohmann::json& records);

// One sample of the HTML sample browser as JSON text (not yet escaped for a <script> block):
// {"evaluations","finish_reason"?,"id","outcome","prompt","response","status","task"}, keys in
// the order json::dump writes them, records whose reason is "filtered out" left out.
// prompt_json and response_json are JSON texts; `records` is the object of parsed records.
std::string browser_record_json(std::string_view task, std::string_view id,
                                std::string_view prompt_json, std::string_view response_json,
                                std::string_view status, std::string_view finish_reason,
                                const nlohmann::json& records);

// HTML text escaping of & < > " ' (for text and attribute values).
std::string html_escape(std::string_view text);

// JSON for a <script type="application/json"> block: `<`, `>`, `&`, U+2028 and U+2029 written as
// \u003c, \u003e, \u0026, \u2028, \u2029 so no sequence in the data can end the block. Invalid
// UTF-8 is replaced by U+FFFD.
std::string json_for_script(const nlohmann::json& value);
// The same escaping applied to JSON text that is already serialised.
std::string script_escape(std::string_view json_text);

// One RFC 4180 field: quoted (with "" for ") when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view text);

// A Markdown table cell: pipes escaped, line breaks flattened.
std::string md_cell(std::string_view text);

// "↑" for higher_is_better, "↓" for lower_is_better, "" otherwise.
std::string direction_arrow(std::string_view direction);

void write_html(const RunData& run, std::ostream& out);
void write_markdown(const RunData& run, std::ostream& out);
void write_csv(const RunData& run, std::ostream& out);

enum class Format { html, md, csv };

// Parses "html", "md" or "csv"; throws std::invalid_argument otherwise.
Format parse_format(std::string_view name);

// Writes the report of `run_dir` to `out` atomically (temporary file + rename).
void write_report_file(const RunData& run, Format format, const fs::path& out);

// A run folder that cannot be reported on (missing or unreadable summary.json): the CLI turns it
// into a configuration error (exit code 2).
struct RunFolderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `trustllm report RUN_DIR [--out FILE] [--format F]`: writes the report in `format` ("html",
// "md" or "csv") to `out`; with `out` empty, html goes to RUN_DIR/report.html and md/csv to
// `console`. Returns the file written, or nullopt when it went to `console`.
std::optional<fs::path> report_command(const fs::path& run_dir, const std::string& out,
                                       std::string_view format, std::ostream& console);

// The report written at the end of `trustllm run` and `score`: RUN_DIR/report.html.
fs::path write_run_html(const fs::path& run_dir, const fs::path& sample_block = {});

}  // namespace trustllm::report
