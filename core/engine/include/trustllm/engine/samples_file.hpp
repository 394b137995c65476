// samples.jsonl: one line per sample, composed from the stored JSON texts (the sample's
// response_meta and each metric's record) without parsing them again: this runs over every
// sample of a run, either while it generates (a fresh run) or from the run database afterwards.
#pragma once

#include <trustllm/store/rows.hpp>

#include <string>
#include <utility>
#include <vector>

namespace trustllm::engine {

// (metric key, record JSON text) of one sample, in the task's metric order.
using SampleRecords = std::vector<std::pair<std::string, std::string>>;

// The start every line of a task shares: {"task":...,"dimension":...,"id":
std::string samples_line_head(const std::string& task, const std::string& dimension);

// Replaces `line` with the samples.jsonl line of `s` (without the newline). "score" is the
// first record's "score", or null; a caller that has parsed the records already passes that
// score's JSON text as `score` (the records are then not parsed again).
void compose_samples_line(std::string& line, const std::string& head, const store::SampleRow& s,
                          const SampleRecords& records, const std::string* score = nullptr);

}  // namespace trustllm::engine
