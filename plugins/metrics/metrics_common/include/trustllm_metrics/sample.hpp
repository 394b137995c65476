// Reading the sample a metric receives, and writing the entries its accumulator reports.
//
// A sample (host -> metric) is {"task", "id", "prompt", "response": string|null,
// "response_meta", "fields": the dataset item's original fields}. In an imported toolkit result
// tree the fields also carry the recorded evaluator output `eval_res` and, for jailbreak,
// `toxicity`.
#pragma once

#include <trustllm/plugin.hpp>

#include <cstdint>
#include <string>

namespace trustllm::metrics {

using json = nlohmann::json;

// sample.fields, or an empty object.
const json& fields_of(const json& sample);
// The response text; nullptr when it is null or absent (generation failed). A response of any
// other JSON type is sdk::Error(TLM_E_INPUT) naming the item.
const std::string* response_of(const json& sample);
// sample.id ("?" when absent), for messages.
std::string item_id(const json& sample);
// fields.eval_res when the key is present (its value may be null), else nullptr.
const json* recorded_eval(const json& sample);

// Walks a JSON pointer without exceptions; nullptr when any step is missing.
const json* resolve(const json& doc, const json::json_pointer& ptr);
// Parses a config value that must be a JSON pointer ("/label/0"); sdk::config_error otherwise.
json::json_pointer parse_pointer(const json& value, const std::string& key);
// A value rendered as a group name: strings as they are, anything else as JSON text; "" for
// null (callers check absence with resolve()).
std::string group_name(const json& value);

// A record that leaves the metric's denominator.
json excluded_record(const std::string& reason);

// Summary entries, as an accumulator's finish() returns them inside {"metrics": [...]}.
//   ok:      {"metric", "value", "n", "direction", "status":"ok"}
//   skipped: {"metric", "value": null, "n", "direction", "status":"skipped", "reason"}
json metric_ok(const std::string& id, double value, uint64_t n, const std::string& direction);
json metric_skipped(const std::string& id, const std::string& reason, uint64_t n,
                    const std::string& direction);

// Config helpers: one-line sdk::config_error naming the key on a wrong type.
std::string get_string(const json& config, const char* key, const std::string& fallback);
bool get_bool(const json& config, const char* key, bool fallback);
int get_int(const json& config, const char* key, int fallback, int min, int max);
// Throws sdk::config_error("/<key>", "unknown key (allowed: ...)") for a key not in `allowed`.
void check_keys(const json& config, std::initializer_list<const char*> allowed);

}  // namespace trustllm::metrics
