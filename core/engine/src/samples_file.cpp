#include <trustllm/engine/samples_file.hpp>

#include <trustllm/util/canonical_json.hpp>

#include <nlohmann/json.hpp>

namespace trustllm::engine {

namespace {

using json = nlohmann::json;

std::string quote(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string samples_line_head(const std::string& task, const std::string& dimension) {
  return "{\"task\":" + quote(task) + ",\"dimension\":" + quote(dimension) + ",\"id\":";
}

void compose_samples_line(std::string& line, const std::string& head, const store::SampleRow& s,
                          const SampleRecords& records, const std::string* given_score) {
  // The texts come from parsed JSON (valid UTF-8) and are escaped directly; an error message
  // may quote a server's bytes, so it goes through json's replacing dump.
  line = head;
  util::append_json_string(line, s.item_id);
  line += ",\"prompt\":";
  util::append_json_string(line, s.prompt);
  line += ",\"response\":";
  if (s.response) {
    util::append_json_string(line, *s.response);
  } else {
    line += "null";
  }
  line += ",\"response_meta\":";
  line += s.response_meta.empty() ? std::string_view("{}") : std::string_view(s.response_meta);
  line += ",\"status\":";
  util::append_json_string(line, s.status);
  if (s.error) line += ",\"error\":" + quote(*s.error);
  line += ",\"evaluations\":{";
  std::string score = given_score ? *given_score : std::string("null");
  bool first = true;
  for (const auto& [key, record] : records) {
    if (!first) line += ',';
    first = false;
    util::append_json_string(line, key);
    line += ':';
    line += record;
    if (!given_score && score == "null" && record.find("\"score\"") != std::string::npos) {
      json r = json::parse(record, nullptr, false);
      if (r.is_object() && r.contains("score")) score = r["score"].dump();
    }
  }
  line += "},\"score\":" + score + "}";
}

}  // namespace trustllm::engine
