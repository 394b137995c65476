#include <trustllm/engine/derived.hpp>
#include <trustllm/engine/intervals.hpp>

namespace trustllm::engine {

using json = nlohmann::json;

json derive_metric(const DerivedMetric& d, const json& task_entries, const std::string& dimension,
                   const std::string& task) {
  json entry{{"dimension", dimension},
             {"task", task},
             {"metric", d.metric},
             {"direction", d.direction},
             {"derived", json{{"mean_of", d.mean_of}}}};
  double sum = 0;
  uint64_t n = 0;
  std::string missing;
  std::vector<const json*> replicates;
  for (const std::string& id : d.mean_of) {
    const json* found = nullptr;
    for (const json& e : task_entries) {
      if (e.value("metric", std::string()) == id) {
        found = &e;
        break;
      }
    }
    if (!found || found->value("status", std::string()) != "ok" || !(*found)["value"].is_number()) {
      if (!missing.empty()) missing += ", ";
      missing += id + (found ? " (" + found->value("status", std::string("no value")) + ")"
                             : " (not reported)");
      continue;
    }
    sum += (*found)["value"].get<double>();
    replicates.push_back(found->contains("replicates") ? &(*found)["replicates"] : nullptr);
    if ((*found)["n"].is_number_unsigned()) n += (*found)["n"].get<uint64_t>();
  }
  entry["n"] = n;
  if (!missing.empty()) {
    entry["value"] = nullptr;
    entry["status"] = "skipped";
    entry["reason"] = "mean of " + std::to_string(d.mean_of.size()) + " metrics, but " + missing +
                      " has no value";
    return entry;
  }
  entry["value"] = sum / static_cast<double>(d.mean_of.size());
  entry["status"] = "ok";
  // The parts' resamples are independent draws of the same size, so the mean of their b-th
  // replicates is a replicate of the mean (no interval when a part has none).
  json r = mean_of_replicates(replicates);
  if (!r.empty()) entry["replicates"] = std::move(r);
  return entry;
}

}  // namespace trustllm::engine
