#include <trustllm/engine/samples_file.hpp>

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
                          const SampleRecords& records) {
  line = head;
  line += quote(s.item_id);
  line += ",\"prompt\":" + quote(s.prompt);
  line += ",\"response\":" + (s.response ? quote(*s.response) : std::string("null"));
  line += ",\"response_meta\":" + (s.response_meta.empty() ? std::string("{}") : s.response_meta);
  line += ",\"status\":" + quote(s.status);
  if (s.error) line += ",\"error\":" + quote(*s.error);
  line += ",\"evaluations\":{";
  std::string score = "null";
  bool first = true;
  for (const auto& [key, record] : records) {
    if (!first) line += ',';
    first = false;
    line += quote(key) + ":" + record;
    if (score == "null" && record.find("\"score\"") != std::string::npos) {
      json r = json::parse(record, nullptr, false);
      if (r.is_object() && r.contains("score")) score = r["score"].dump();
    }
  }
  line += "},\"score\":" + score + "}";
}

}  // namespace trustllm::engine
