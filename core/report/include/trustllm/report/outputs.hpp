// Writing the output folder: JSON files (atomically), samples.jsonl, and the terminal table.
// Knows the shape of summary.json, nothing about datasets or metrics.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace trustllm::report {

namespace fs = std::filesystem;

// Writes pretty JSON to `path` via a temporary file and rename, so readers never see half a
// file.
void write_json(const fs::path& path, const nlohmann::json& value);

// Writes one JSON object per line; `produce` calls `emit` for each line, in order.
void write_jsonl(const fs::path& path,
                 const std::function<void(const std::function<void(const nlohmann::json&)>&)>&
                     produce);

// Writes text lines (each without its newline), atomically like write_json.
void write_lines(const fs::path& path,
                 const std::function<void(const std::function<void(std::string_view)>&)>& produce);

// The summary table: dimension, task, metric, value, n, direction, status.
void print_table(const nlohmann::json& summary, std::FILE* out);

// Value formatting for people: up to 4 decimals, "—" for null.
std::string format_value(const nlohmann::json& value);

// "[0.8812, 0.9241]" from a summary entry's "ci95" (format_value of each bound), or "" when it
// has none.
std::string interval_text(const nlohmann::json& metric);

}  // namespace trustllm::report
