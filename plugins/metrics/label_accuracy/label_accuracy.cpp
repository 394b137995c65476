// The label_accuracy metric: configuration, per-item evaluation (parser, optional judge) and
// the accumulator (accuracy, macro-F1, balanced accuracy, F1 from accuracy; per group, mean).
#include "label_accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "trustllm_metrics/resample.hpp"
#include "trustllm_metrics/sample.hpp"
#include "trustllm_metrics/stats.hpp"

namespace trustllm::labels {

namespace {

constexpr const char* kSchema = R"json({
  "type": "object",
  "description": "Label accuracy: a named parser extracts a label from each response (optionally asking the LLM judge), then accuracy, macro-F1, balanced accuracy or F1-from-accuracy over the scored items.",
  "additionalProperties": false,
  "required": ["parser"],
  "properties": {
    "parser": {
      "type": "string",
      "description": "Parser name. Truthfulness/robustness: codah, external, halu_yes_no, halu_mc, count_yes_no, advfact, flipkart, ddxplus; fairness/ethics parsers when built in. The plugin's error message lists them."
    },
    "options": {
      "type": "object",
      "description": "Options handed to the parser, e.g. count_yes_no: {question: /question/paragraphs/0/qas/0/question} (JSON pointers of the question and answer fields its default judge prompt shows)."
    },
    "filter": {
      "type": "object",
      "description": "Only the items whose field at `pointer` equals `equals` belong to this metric; the others are not counted at all.",
      "additionalProperties": false,
      "required": ["pointer", "equals"],
      "properties": {
        "pointer": {"type": "string", "description": "JSON pointer into the item's fields, e.g. /source."},
        "equals": {"description": "The value the field must equal (any JSON value)."}
      }
    },
    "aggregate": {
      "type": "string",
      "enum": ["accuracy", "macro_f1", "balanced_accuracy", "f1_from_accuracy"],
      "default": "accuracy",
      "description": "accuracy = correct / scored; macro_f1 = sklearn macro-F1 over `classes` (a list); balanced_accuracy = per gold class accuracy, `classes` maps each gold class to its metric id and `metric` is their unweighted mean (an empty class counts 0); f1_from_accuracy = 2*acc/(1+acc)."
    },
    "classes": {
      "description": "macro_f1: list of gold class names. balanced_accuracy: object {gold class: metric id}.",
      "oneOf": [
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
        {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1}
      ]
    },
    "metric": {
      "type": "string",
      "description": "Metric id of the value over all (filtered) items. May be left out when `groups` or balanced-accuracy classes report everything."
    },
    "group_by": {
      "type": "string",
      "description": "JSON pointer into the item's fields, e.g. /source: one value per group. Without `groups`, each value is reported as <metric>:<value>."
    },
    "groups": {
      "type": "object",
      "additionalProperties": {"type": "string"},
      "description": "{group value: metric id}: the groups to report. Without a pooled `metric`, items of unlisted groups do not belong to this metric."
    },
    "mean": {
      "type": "string",
      "description": "Metric id of the unweighted mean over the listed groups (of their reported, possibly rounded, values)."
    },
    "direction": {
      "type": "string",
      "enum": ["higher_is_better", "lower_is_better"],
      "default": "higher_is_better"
    },
    "round": {
      "type": "integer",
      "minimum": 0,
      "maximum": 15,
      "description": "Python round(x, digits) (half-even on the binary value) of the reported values, only where the toolkit rounds (count_yes_no and hallucination mc: 3)."
    },
    "judge_prompt": {
      "type": "string",
      "description": "Judge prompt template for routed items: {response}, {prompt}, {field:NAME}, {field:/json/pointer}. Default: the parser's own prompt, which asks for exactly the reply format the parser reads."
    },
    "judge_max_tokens": {"type": "integer", "minimum": 1, "default": 32},
    "use_recorded": {
      "type": "boolean",
      "default": true,
      "description": "A routed item whose fields carry eval_res uses it as the judge reply and calls nothing (the toolkit's skip rule). Items that are not routed never read eval_res."
    }
  }
})json";

constexpr const char* kExample =
    R"yaml(# misinformation_external: macro-F1 per source and their mean
metric:
  plugin: label_accuracy
  config:
    parser: external
    aggregate: macro_f1
    classes: [REFUTE, SUPPORT]
    group_by: /source
    groups: {scifact: scifact, covid: covid, healthver: healthver, climate: climate}
    mean: avg
)yaml";

constexpr const char* kKeys =
    "parser, options, filter, aggregate, classes, metric, group_by, groups, mean, direction, "
    "round, judge_prompt, judge_max_tokens, use_recorded";

std::string require_id(const json& v, const std::string& key) {
  if (!v.is_string() || v.get<std::string>().empty()) {
    throw sdk::config_error(key, "must be a non-empty string (a metric id)");
  }
  return v.get<std::string>();
}

Aggregate parse_aggregate(const json& v) {
  if (v == "accuracy") return Aggregate::accuracy;
  if (v == "macro_f1") return Aggregate::macro_f1;
  if (v == "balanced_accuracy") return Aggregate::balanced_accuracy;
  if (v == "f1_from_accuracy") return Aggregate::f1_from_accuracy;
  throw sdk::config_error("/aggregate",
                          "must be one of accuracy, macro_f1, balanced_accuracy, f1_from_accuracy");
}

void parse_filter(const json& v, LabelConfig& c) {
  if (!v.is_object() || !v.contains("pointer") || !v.contains("equals")) {
    throw sdk::config_error("/filter", "must be an object {pointer, equals}");
  }
  for (auto f = v.begin(); f != v.end(); ++f) {
    if (f.key() != "pointer" && f.key() != "equals") {
      throw sdk::config_error("/filter/" + f.key(), "unknown key (allowed: pointer, equals)");
    }
  }
  c.filter_pointer = metrics::parse_pointer(v["pointer"], "/filter/pointer");
  c.filter_equals = v["equals"];
}

void parse_classes(const json& v, LabelConfig& c) {
  if (c.aggregate == Aggregate::macro_f1) {
    if (!v.is_array() || v.empty()) {
      throw sdk::config_error("/classes", "macro_f1 needs a list of gold class names");
    }
    std::set<std::string> seen;
    for (const json& e : v) {
      if (!e.is_string() || !seen.insert(e.get<std::string>()).second) {
        throw sdk::config_error("/classes", "must list distinct class names (strings)");
      }
      c.f1_classes.push_back(e.get<std::string>());
    }
  } else if (c.aggregate == Aggregate::balanced_accuracy) {
    if (!v.is_object() || v.empty()) {
      throw sdk::config_error("/classes",
                              "balanced_accuracy needs an object {gold class: metric id}");
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      c.class_metrics.emplace_back(it.key(), require_id(it.value(), "/classes/" + it.key()));
    }
  } else {
    throw sdk::config_error("/classes", "only used by aggregate macro_f1 or balanced_accuracy");
  }
}

void parse_groups(const json& v, LabelConfig& c) {
  if (!v.is_object() || v.empty()) {
    throw sdk::config_error("/groups", "must be an object {group value: metric id}");
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    c.groups.emplace_back(it.key(), require_id(it.value(), "/groups/" + it.key()));
  }
}

// Every reported metric id once: metric, class ids, group ids, mean.
void check_unique_ids(const LabelConfig& c) {
  std::set<std::string> ids;
  auto add = [&](const std::string& id, const std::string& key) {
    if (!ids.insert(id).second) {
      throw sdk::config_error(key, "metric id '" + id + "' is already reported by this block");
    }
  };
  if (c.metric) add(*c.metric, "/metric");
  for (const auto& [cls, id] : c.class_metrics) add(id, "/classes/" + cls);
  for (const auto& [value, id] : c.groups) add(id, "/groups/" + value);
  if (c.mean) add(*c.mean, "/mean");
}

// Cross-key rules, once every key is read.
void check_consistency(const LabelConfig& c) {
  if (c.parser.empty()) throw sdk::config_error("/parser", "required: the name of a label parser");
  if (c.aggregate == Aggregate::macro_f1 && c.f1_classes.empty()) {
    throw sdk::config_error("/classes", "macro_f1 needs a list of gold class names");
  }
  if (c.aggregate == Aggregate::balanced_accuracy && c.class_metrics.empty()) {
    throw sdk::config_error("/classes", "balanced_accuracy needs {gold class: metric id}");
  }
  if (!c.groups.empty() && !c.group_by) {
    throw sdk::config_error("/groups", "needs group_by (the pointer that gives the group)");
  }
  if (c.mean && c.groups.empty()) {
    throw sdk::config_error("/mean", "needs groups (the mean is over the listed groups)");
  }
  if (c.group_by && c.groups.empty() && !c.metric) {
    throw sdk::config_error("/metric",
                            "group_by without groups reports <metric>:<value>: set "
                            "metric");
  }
  if (!c.metric && c.groups.empty() && c.class_metrics.empty()) {
    throw sdk::config_error("/metric", "required: the metric id to report");
  }
  check_unique_ids(c);
}

}  // namespace

LabelConfig LabelConfig::parse(const json& config) {
  if (!config.is_object()) throw sdk::config_error("", "configuration must be an object");
  LabelConfig c;
  // aggregate first: `classes` is read according to it.
  if (auto a = config.find("aggregate"); a != config.end()) c.aggregate = parse_aggregate(*a);
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    const std::string key = "/" + k;
    if (k == "parser") {
      c.parser = require_id(v, key);
    } else if (k == "options") {
      if (!v.is_object()) throw sdk::config_error(key, "must be an object");
      c.options = v;
    } else if (k == "filter") {
      parse_filter(v, c);
    } else if (k == "aggregate") {
      // read above
    } else if (k == "classes") {
      parse_classes(v, c);
    } else if (k == "metric") {
      c.metric = require_id(v, key);
    } else if (k == "group_by") {
      c.group_by = metrics::parse_pointer(v, key);
    } else if (k == "groups") {
      parse_groups(v, c);
    } else if (k == "mean") {
      c.mean = require_id(v, key);
    } else if (k == "direction") {
      if (v != "higher_is_better" && v != "lower_is_better") {
        throw sdk::config_error(key, "must be higher_is_better or lower_is_better");
      }
      c.direction = v.get<std::string>();
    } else if (k == "round") {
      c.round = metrics::get_int(config, "round", 0, 0, 15);
    } else if (k == "judge_prompt") {
      if (!v.is_string()) throw sdk::config_error(key, "must be a string (a prompt template)");
      c.judge_prompt = v.get<std::string>();
    } else if (k == "judge_max_tokens") {
      c.judge_max_tokens = metrics::get_int(config, "judge_max_tokens", 32, 1, 100000);
    } else if (k == "use_recorded") {
      c.use_recorded = metrics::get_bool(config, "use_recorded", true);
    } else {
      throw sdk::config_error(key, std::string("unknown key (allowed: ") + kKeys + ")");
    }
  }
  check_consistency(c);
  return c;
}

std::unique_ptr<Parser> make_parser(const std::string& name, const json& options) {
  if (auto p = make_truthfulness_parser(name, options)) return p;
  return make_ethics_parser(name, options);
}

std::string known_parsers() {
  std::string out;
  auto append = [&](const std::vector<ParserInfo>& list) {
    for (const ParserInfo& p : list) out += (out.empty() ? "" : ", ") + std::string(p.name);
  };
  append(truthfulness_parsers());
  append(ethics_parsers());
  return out;
}

sdk::Meta LabelAccuracy::meta() {
  sdk::Meta m{"label_accuracy", "1.0.0",
              "Label extraction with named TrustLLM parsers (optionally routed to the LLM judge), "
              "then accuracy, macro-F1, balanced accuracy or F1 from accuracy; per group and "
              "their mean"};
  m.config_schema = kSchema;
  m.example_config = kExample;
  return m;
}

LabelAccuracy::LabelAccuracy(const json& config, sdk::Host) : cfg_(LabelConfig::parse(config)) {
  // A parser rejects bad options itself (sdk::config_error under /options).
  parser_ = make_parser(cfg_.parser, cfg_.options);
  if (!parser_) {
    throw sdk::config_error(
        "/parser", "unknown parser '" + cfg_.parser + "' (known: " + known_parsers() + ")");
  }
  std::string text = cfg_.judge_prompt ? *cfg_.judge_prompt : parser_->default_judge_prompt();
  if (!text.empty()) template_ = judge::Template::parse(text, "/judge_prompt");
}

std::optional<std::string> LabelAccuracy::group_of(const json& fields) const {
  if (!cfg_.group_by) return std::nullopt;
  const json* v = metrics::resolve(fields, *cfg_.group_by);
  if (!v || v->is_null()) return std::nullopt;
  return metrics::group_name(*v);
}

bool LabelAccuracy::belongs(const json& fields) const {
  if (cfg_.filter_pointer) {
    const json* v = metrics::resolve(fields, *cfg_.filter_pointer);
    if (!v || *v != cfg_.filter_equals) return false;
  }
  if (!cfg_.groups.empty() && !cfg_.metric) {
    std::optional<std::string> g = group_of(fields);
    if (!g) return false;
    for (const auto& [value, id] : cfg_.groups) {
      if (value == *g) return true;
    }
    return false;
  }
  return true;
}

namespace {

json outcome_record(const Outcome& o) {
  if (o.kind == Outcome::Kind::scored) {
    return json{{"prediction", o.prediction},
                {"gold", o.gold},
                {"correct", o.correct},
                {"score", o.correct ? 1 : 0}};
  }
  return metrics::excluded_record(o.reason.empty() ? std::string("excluded") : o.reason);
}

}  // namespace

json LabelAccuracy::judge_record(const json& sample, const std::string* response,
                                 const json& fields, sdk::Call& call) const {
  if (!template_) {
    throw sdk::Error(TLM_E_CONFIG, "parser '" + cfg_.parser +
                                       "' routed an item to the judge but has no judge prompt: "
                                       "set judge_prompt");
  }
  call.throw_if_cancelled();
  // A recorded reply replaces the call: the prompt is only rendered when it is sent.
  const bool recorded = cfg_.use_recorded && metrics::recorded_eval(sample) != nullptr;
  std::string prompt = recorded ? std::string() : template_->render(sample);
  judge::Reply reply = judge::ask_or_recorded(sample, call, prompt, cfg_.judge_max_tokens,
                                              cfg_.use_recorded);  // sdk::Error propagates
  Outcome o = parser_->parse_judge(reply.reply, response, fields);
  if (o.kind == Outcome::Kind::judge) o = Outcome::excluded("parser asked for a second judge call");
  json r = outcome_record(o);
  r["routed"] = true;
  r.update(judge::reply_record(reply));
  return r;
}

json LabelAccuracy::evaluate(const json& sample, sdk::Call& call) {
  const json& fields = metrics::fields_of(sample);
  if (!belongs(fields)) return metrics::excluded_record("filtered out");
  const std::string* response = metrics::response_of(sample);
  Outcome o = parser_->parse(response, fields);
  if (o.kind == Outcome::Kind::judge) return judge_record(sample, response, fields, call);
  json r = outcome_record(o);
  r["routed"] = false;
  return r;
}

// ---- aggregation ------------------------------------------------------------------------

namespace {

// The counts of one scope (all items, or one group).
struct Tally {
  uint64_t n = 0;
  uint64_t correct = 0;
  uint64_t excluded = 0;
  std::map<std::string, uint64_t> reasons;                         // exclusion reason -> count
  std::map<std::string, std::pair<uint64_t, uint64_t>> per_class;  // gold -> (n, correct)
  std::vector<int> gold_idx, pred_idx;                             // macro_f1
  std::string unknown_label;                                       // macro_f1: not in classes
  // Bootstrap units: the scored items in add order (n of them).
  std::vector<uint8_t> hit;  // 1 correct, 0 wrong
  std::vector<int> bal_idx;  // balanced_accuracy: index of the gold class in classes, or -1

  void add_excluded(const std::string& reason) {
    ++excluded;
    ++reasons[reason];
  }
};

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

// The statistic of one scope recomputed on a resample of its scored items: add(i, w) for each
// drawn item i (w = times drawn) after reset(), then value(). Weighted counts are whole numbers
// held in doubles, so with every weight 1 the value equals the point value bit for bit. A class
// that has items in the scope's data but none drawn makes macro-F1 and balanced accuracy
// undefined (NaN); a class with no item in the data counts as in the point value.
class ResampledScope {
 public:
  ResampledScope(const LabelConfig& cfg, const Tally& t)
      : cfg_(cfg),
        t_(t),
        tp_(cfg.f1_classes.size()),
        fp_(tp_.size()),
        fn_(tp_.size()),
        f1_in_data_(tp_.size(), 0),
        cls_n_(cfg.class_metrics.size()),
        cls_hit_(cls_n_.size()),
        cls_in_data_(cls_n_.size(), 0) {
    for (int g : t.gold_idx) {
      if (g >= 0 && static_cast<size_t>(g) < f1_in_data_.size()) f1_in_data_[g] = 1;
    }
    for (int b : t.bal_idx) {
      if (b >= 0) cls_in_data_[b] = 1;
    }
  }

  size_t size() const { return t_.hit.size(); }

  void reset() {
    n_ = hits_ = 0;
    std::fill(tp_.begin(), tp_.end(), 0.0);
    std::fill(fp_.begin(), fp_.end(), 0.0);
    std::fill(fn_.begin(), fn_.end(), 0.0);
    std::fill(cls_n_.begin(), cls_n_.end(), 0.0);
    std::fill(cls_hit_.begin(), cls_hit_.end(), 0.0);
  }

  void add(size_t i, double w) {
    n_ += w;
    if (t_.hit[i]) hits_ += w;
    if (cfg_.aggregate == Aggregate::macro_f1) {
      const size_t g = static_cast<size_t>(t_.gold_idx[i]), p = static_cast<size_t>(t_.pred_idx[i]);
      if (g == p) {
        tp_[g] += w;
      } else {
        fp_[p] += w;
        fn_[g] += w;
      }
    } else if (cfg_.aggregate == Aggregate::balanced_accuracy && t_.bal_idx[i] >= 0) {
      const size_t b = static_cast<size_t>(t_.bal_idx[i]);
      cls_n_[b] += w;
      if (t_.hit[i]) cls_hit_[b] += w;
    }
  }

  // The unrounded value on the drawn items; NaN when undefined.
  double value() const {
    if (n_ == 0) return kUndefined;
    const double acc = hits_ / n_;
    switch (cfg_.aggregate) {
      case Aggregate::accuracy:
        return acc;
      case Aggregate::f1_from_accuracy:
        return acc == 0.0 ? 0.0 : 2.0 * acc / (1.0 + acc);
      case Aggregate::macro_f1:
        return macro_f1();
      case Aggregate::balanced_accuracy:
        return balanced_accuracy();
    }
    return kUndefined;
  }

 private:
  // stats::macro_f1 on weighted counts.
  double macro_f1() const {
    if (tp_.empty()) return 0.0;  // as stats::macro_f1 with no class
    double sum = 0;
    for (size_t c = 0; c < tp_.size(); ++c) {
      if (f1_in_data_[c] && tp_[c] + fn_[c] == 0) return kUndefined;
      const double pden = tp_[c] + fp_[c], rden = tp_[c] + fn_[c];
      const double precision = pden > 0 ? tp_[c] / pden : 0.0;
      const double recall = rden > 0 ? tp_[c] / rden : 0.0;
      sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    }
    return sum / static_cast<double>(tp_.size());
  }

  double balanced_accuracy() const {
    double sum = 0;
    for (size_t b = 0; b < cls_n_.size(); ++b) {
      if (!cls_in_data_[b]) continue;  // counts 0, as in the point value
      if (cls_n_[b] == 0) return kUndefined;
      sum += cls_hit_[b] / cls_n_[b];
    }
    return sum / static_cast<double>(cls_n_.size());
  }

  const LabelConfig& cfg_;
  const Tally& t_;
  double n_ = 0, hits_ = 0;
  std::vector<double> tp_, fp_, fn_;
  std::vector<char> f1_in_data_;
  std::vector<double> cls_n_, cls_hit_;
  std::vector<char> cls_in_data_;
};

// "3 excluded (no response: 2, judge call failed: 1)"
std::string describe_exclusions(const Tally& t) {
  if (t.excluded == 0) return "no items";
  std::string s = std::to_string(t.excluded) + " excluded (";
  bool first = true;
  for (const auto& [reason, count] : t.reasons) {
    s += (first ? "" : "; ") + reason + ": " + std::to_string(count);
    first = false;
  }
  return s + ")";
}

class LabelAccumulator : public sdk::Accumulator {
 public:
  explicit LabelAccumulator(const LabelAccuracy& metric) : metric_(metric), cfg_(metric.config()) {
    for (size_t i = 0; i < cfg_.f1_classes.size(); ++i) {
      class_index_[cfg_.f1_classes[i]] = static_cast<int>(i);
    }
    for (size_t i = 0; i < cfg_.class_metrics.size(); ++i) {
      balanced_index_.emplace(cfg_.class_metrics[i].first, static_cast<int>(i));
    }
  }

  void add(const json& sample, const json& record, sdk::Call&) override {
    const json& fields = metrics::fields_of(sample);
    if (!metric_.belongs(fields)) return;  // not part of this metric at all
    std::optional<std::string> group = metric_.group_of(fields);
    std::lock_guard<std::mutex> lock(mu_);
    count(total_, sample, record);
    if (group) count(groups_[*group], sample, record);
  }

  json finish(sdk::Call&) override {
    std::lock_guard<std::mutex> lock(mu_);
    json metrics = json::array();
    if (cfg_.metric) metrics.push_back(entry(*cfg_.metric, total_));
    if (cfg_.aggregate == Aggregate::balanced_accuracy) add_class_entries(metrics);
    if (cfg_.group_by && cfg_.groups.empty()) {
      for (const auto& [name, t] : groups_) metrics.push_back(entry(*cfg_.metric + ":" + name, t));
    }
    add_group_entries(metrics);
    return json{{"metrics", metrics}};
  }

 private:
  void count(Tally& t, const json& sample, const json& record) {
    if (!record.is_object()) {
      throw sdk::Error(TLM_E_INPUT,
                       "sample " + metrics::item_id(sample) + ": record is not an object");
    }
    if (record.value("excluded", false)) {
      t.add_excluded(record.value("reason", std::string("excluded")));
      return;
    }
    auto c = record.find("correct");
    auto g = record.find("gold");
    auto p = record.find("prediction");
    if (c == record.end() || !c->is_boolean() || g == record.end() || !g->is_string() ||
        p == record.end() || !p->is_string()) {
      throw sdk::Error(TLM_E_INPUT, "sample " + metrics::item_id(sample) +
                                        ": record has neither correct/gold/prediction nor "
                                        "excluded: " +
                                        record.dump());
    }
    const bool ok = c->get<bool>();
    ++t.n;
    if (ok) ++t.correct;
    auto& cls = t.per_class[g->get<std::string>()];
    ++cls.first;
    if (ok) ++cls.second;
    if (cfg_.aggregate == Aggregate::macro_f1) {
      int gi = index_of(g->get<std::string>(), t), pi = index_of(p->get<std::string>(), t);
      t.gold_idx.push_back(gi);
      t.pred_idx.push_back(pi);
    }
    t.hit.push_back(ok ? 1 : 0);
    if (cfg_.aggregate == Aggregate::balanced_accuracy) {
      auto b = balanced_index_.find(g->get<std::string>());
      t.bal_idx.push_back(b == balanced_index_.end() ? -1 : b->second);
    }
  }

  int index_of(const std::string& label, Tally& t) const {
    auto it = class_index_.find(label);
    if (it != class_index_.end()) return it->second;
    if (t.unknown_label.empty()) t.unknown_label = label;
    return 0;
  }

  double rounded(double v) const { return cfg_.round ? stats::py_round(v, *cfg_.round) : v; }

  // ---- bootstrap ----

  // Replicates of a scope's value (rounded like it): resamples of the scope's scored items.
  json scope_replicates(const Tally& t) const {
    ResampledScope scope(cfg_, t);
    return metrics::bootstrap_one(scope.size(), bootstrap(), [&](const sdk::Counts& c) {
      scope.reset();
      for (size_t i = 0; i < c.size(); ++i) {
        if (c[i]) scope.add(i, c[i]);
      }
      const double v = scope.value();
      return std::isfinite(v) ? rounded(v) : v;
    });
  }

  // Replicates of a balanced-accuracy class entry: resamples of the items of that gold class.
  json class_replicates(const std::string& cls) const {
    auto b = balanced_index_.find(cls);
    std::vector<uint8_t> hits;
    for (size_t i = 0; i < total_.hit.size(); ++i) {
      if (b != balanced_index_.end() && total_.bal_idx[i] == b->second)
        hits.push_back(total_.hit[i]);
    }
    return metrics::bootstrap_one(hits.size(), bootstrap(), [&](const sdk::Counts& c) {
      uint64_t drawn = 0;
      for (size_t i = 0; i < hits.size(); ++i) drawn += c[i] * hits[i];
      return rounded(static_cast<double>(drawn) / static_cast<double>(hits.size()));
    });
  }

  // Replicates of the mean over listed groups: one resample of the scored items of all those
  // groups together; each group's value recomputed (and rounded) on its drawn items, then their
  // unweighted mean. NaN when a group has no drawn item.
  json mean_replicates(const std::vector<const Tally*>& tallies) const {
    std::vector<ResampledScope> scopes;
    std::vector<uint32_t> unit_scope;
    std::vector<uint32_t> unit_item;
    scopes.reserve(tallies.size());
    for (size_t g = 0; g < tallies.size(); ++g) {
      scopes.emplace_back(cfg_, *tallies[g]);
      for (size_t i = 0; i < tallies[g]->hit.size(); ++i) {
        unit_scope.push_back(static_cast<uint32_t>(g));
        unit_item.push_back(static_cast<uint32_t>(i));
      }
    }
    return metrics::bootstrap_one(unit_scope.size(), bootstrap(), [&](const sdk::Counts& c) {
      for (ResampledScope& s : scopes) s.reset();
      for (size_t u = 0; u < c.size(); ++u) {
        if (c[u]) scopes[unit_scope[u]].add(unit_item[u], c[u]);
      }
      double sum = 0;
      for (const ResampledScope& s : scopes) {
        const double v = s.value();
        if (!std::isfinite(v)) return kUndefined;
        sum += rounded(v);
      }
      return sum / static_cast<double>(scopes.size());
    });
  }

  // The scope's value, or the reason why there is none.
  std::optional<double> value(const Tally& t, std::string& reason) const {
    if (t.n == 0) {
      reason = "no scored items: " + describe_exclusions(t);
      return std::nullopt;
    }
    const double acc = static_cast<double>(t.correct) / static_cast<double>(t.n);
    switch (cfg_.aggregate) {
      case Aggregate::accuracy:
        return acc;
      case Aggregate::f1_from_accuracy:
        return acc == 0.0 ? 0.0 : 2.0 * acc / (1.0 + acc);
      case Aggregate::macro_f1:
        if (!t.unknown_label.empty()) {
          reason = "label '" + t.unknown_label + "' is not one of the configured classes";
          return std::nullopt;
        }
        return stats::macro_f1(t.gold_idx, t.pred_idx, static_cast<int>(cfg_.f1_classes.size()));
      case Aggregate::balanced_accuracy: {
        double sum = 0.0;
        for (const auto& [cls, id] : cfg_.class_metrics)
          sum += class_accuracy(t, cls).value_or(0.0);
        return sum / static_cast<double>(cfg_.class_metrics.size());
      }
    }
    return std::nullopt;
  }

  static std::optional<double> class_accuracy(const Tally& t, const std::string& cls) {
    auto it = t.per_class.find(cls);
    if (it == t.per_class.end() || it->second.first == 0) return std::nullopt;
    return static_cast<double>(it->second.second) / static_cast<double>(it->second.first);
  }

  json with_excluded(json e, const Tally& t) const {
    e["excluded"] = t.excluded;
    return e;
  }

  json entry(const std::string& id, const Tally& t) const {
    std::string reason;
    std::optional<double> v = value(t, reason);
    if (!v) return with_excluded(metrics::metric_skipped(id, reason, t.n, cfg_.direction), t);
    json e = metrics::metric_ok(id, rounded(*v), t.n, cfg_.direction);
    if (bootstrap().resamples > 0) metrics::add_replicates(e, scope_replicates(t), bootstrap());
    return with_excluded(std::move(e), t);
  }

  void add_class_entries(json& out) const {
    for (const auto& [cls, id] : cfg_.class_metrics) {
      auto it = total_.per_class.find(cls);
      uint64_t n = it == total_.per_class.end() ? 0 : it->second.first;
      std::optional<double> acc = class_accuracy(total_, cls);
      if (!acc) {
        std::string why = "no scored items of gold class '" + cls + "'";
        if (cfg_.metric) why += " (counted as 0 in " + *cfg_.metric + ")";
        out.push_back(metrics::metric_skipped(id, why, 0, cfg_.direction));
      } else {
        json e = metrics::metric_ok(id, rounded(*acc), n, cfg_.direction);
        if (bootstrap().resamples > 0)
          metrics::add_replicates(e, class_replicates(cls), bootstrap());
        out.push_back(std::move(e));
      }
    }
  }

  void add_group_entries(json& out) const {
    static const Tally kEmpty;
    double sum = 0.0;
    uint64_t n_sum = 0;
    size_t present = 0;
    std::string missing;
    std::vector<const Tally*> averaged;  // the groups the mean is over
    for (const auto& [value, id] : cfg_.groups) {
      auto it = groups_.find(value);
      const Tally& t = it == groups_.end() ? kEmpty : it->second;
      json e = entry(id, t);
      if (e["status"] == "ok") {
        sum += e["value"].get<double>();
        n_sum += t.n;
        ++present;
        averaged.push_back(&t);
      } else if (it != groups_.end()) {
        missing += (missing.empty() ? "" : ", ") + id;  // present in the data, but no value
      }
      out.push_back(std::move(e));
    }
    if (!cfg_.mean) return;
    if (!missing.empty() || present == 0) {
      std::string why =
          present == 0 ? "no listed group has a value" : "no value for group(s) " + missing;
      out.push_back(metrics::metric_skipped(*cfg_.mean, why, n_sum, cfg_.direction));
      return;
    }
    // Unweighted mean over the groups present in the data (of their reported values).
    json e =
        metrics::metric_ok(*cfg_.mean, sum / static_cast<double>(present), n_sum, cfg_.direction);
    if (bootstrap().resamples > 0)
      metrics::add_replicates(e, mean_replicates(averaged), bootstrap());
    out.push_back(std::move(e));
  }

  const LabelAccuracy& metric_;
  const LabelConfig& cfg_;
  std::map<std::string, int> class_index_;
  std::map<std::string, int> balanced_index_;  // balanced_accuracy: gold class -> index
  std::mutex mu_;
  Tally total_;
  std::map<std::string, Tally> groups_;
};

}  // namespace

std::unique_ptr<sdk::Accumulator> LabelAccuracy::begin(sdk::Call&) {
  return std::make_unique<LabelAccumulator>(*this);
}

}  // namespace trustllm::labels
