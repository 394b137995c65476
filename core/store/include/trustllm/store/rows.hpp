// Plain row types exchanged with the run database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace trustllm::store {

// One evaluated dataset item (table `samples`, primary key (task, item_id)).
struct SampleRow {
  std::string task;
  std::string item_id;
  std::int64_t seq = 0;                 // order of the item within its task
  std::string prompt;
  std::optional<std::string> response;  // NULL when the model call failed
  std::string response_meta = "{}";     // JSON text
  std::string status = "ok";            // "ok" | "failed"
  std::optional<std::string> error;     // one-line reason when failed
  std::string created_at;               // ISO 8601 UTC; filled in when left empty
  std::string sample = "{}";            // JSON text: the sample as metrics see it (fields included)
};

// One metric's record for one sample (table `evaluations`, key (task, item_id, metric_key)).
struct EvaluationRow {
  std::string task;
  std::string item_id;
  std::string metric_key;
  std::string record;  // JSON text
};

// One response-cache entry (table `cache`).
struct CacheEntry {
  std::string key;       // ResponseCache::make_key(inputs)
  std::string inputs;    // canonical JSON of the inputs the key was made from
  std::string response;  // the response (JSON text)
};

}  // namespace trustllm::store
