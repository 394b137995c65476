// Metric plugin `label_accuracy`: the label-extraction family of TrustLLM metrics (codah,
// external fact checking, hallucination, adversarial factuality, OOD generalization, and the
// fairness / machine-ethics label tasks). A named parser (parser.hpp) turns each response into
// a predicted label; the accumulator aggregates the labels.
//
// Per item (evaluate):
//   1. the item does not belong to this metric (`filter` does not match, or `groups` is set
//      without a pooled `metric` and the item's group is not listed) -> excluded "filtered out"
//   2. parser.parse(response, fields):
//      scored   -> {"prediction","gold","correct","score":1|0,"routed":false}
//      excluded -> {"excluded":true,"reason","routed":false}
//      judge    -> the judge prompt is rendered and judge::ask_or_recorded() asks the `judge`
//                  role, or uses a recorded fields.eval_res (use_recorded, the toolkit's skip
//                  rule); parser.parse_judge(reply) then gives the record as above with
//                  "routed":true, "judge_reply" and "evaluator". A failing judge call is not
//                  caught (sdk::Error reaches the host). Items that are not routed never
//                  consult eval_res.
//
// Aggregation (finish), over the scored items of each scope (all items; each group):
//   accuracy          correct / scored
//   f1_from_accuracy  2·acc / (1 + acc), 0 when acc = 0 (the toolkit's sklearn F1 with every
//                     prediction "correct")
//   macro_f1          sklearn macro-F1 over the configured `classes` (gold vs prediction)
//   balanced_accuracy per gold class accuracy, reported under the class's metric id; the pooled
//                     value is their unweighted mean (a class with no scored item counts 0)
// `round` applies Python round(x, digits) to the reported values (not to `mean`, the unweighted
// mean over the listed groups, which uses the rounded group values as the toolkit does).
// n = scored items; n = 0 -> "skipped" with the exclusion reasons, never a silent 0.
//
// Bootstrap (bootstrap().resamples > 0): each ok entry gets "replicates", its value recomputed
// (and rounded the same way) on resamples of the scored items it is computed on: all of them
// for the pooled metric, a group's for a group entry, a gold class's for a balanced-accuracy
// class entry; `mean` resamples the items of the averaged groups together and averages each
// group's recomputed value. A class or group present in the data but absent from a resample
// makes that replicate undefined (null); a class with no item at all counts 0 as in the value.
#pragma once

#include <trustllm/plugin.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parser.hpp"
#include "trustllm_metrics/judge.hpp"

namespace trustllm::labels {

enum class Aggregate { accuracy, macro_f1, balanced_accuracy, f1_from_accuracy };

struct LabelConfig {
  std::string parser;
  json options = json::object();
  std::optional<json::json_pointer> filter_pointer;
  json filter_equals;
  Aggregate aggregate = Aggregate::accuracy;
  std::vector<std::string> f1_classes;                             // macro_f1
  std::vector<std::pair<std::string, std::string>> class_metrics;  // balanced: gold -> id
  std::optional<std::string> metric;
  std::optional<json::json_pointer> group_by;
  std::vector<std::pair<std::string, std::string>> groups;  // group value -> metric id
  std::optional<std::string> mean;
  std::string direction = "higher_is_better";
  std::optional<int> round;
  std::optional<std::string> judge_prompt;
  int judge_max_tokens = 32;
  bool use_recorded = true;

  // Throws sdk::Error(TLM_E_CONFIG) with the offending key.
  static LabelConfig parse(const json& config);
};

// The parser `name` from the truthfulness and ethics groups, or nullptr.
std::unique_ptr<Parser> make_parser(const std::string& name, const json& options);
// "name1, name2, ..." of every known parser.
std::string known_parsers();

class LabelAccuracy : public sdk::Metric {
 public:
  static sdk::Meta meta();

  LabelAccuracy(const json& config, sdk::Host host);

  json evaluate(const json& sample, sdk::Call& call) override;
  std::unique_ptr<sdk::Accumulator> begin(sdk::Call& call) override;

  const LabelConfig& config() const { return cfg_; }
  // Whether an item counts for this metric at all (filter, listed groups).
  bool belongs(const json& fields) const;
  // The item's group value (empty optional without group_by or when the field is absent/null).
  std::optional<std::string> group_of(const json& fields) const;

 private:
  json judge_record(const json& sample, const std::string* response, const json& fields,
                    sdk::Call& call) const;

  LabelConfig cfg_;
  std::unique_ptr<Parser> parser_;
  std::optional<judge::Template> template_;
};

}  // namespace trustllm::labels
