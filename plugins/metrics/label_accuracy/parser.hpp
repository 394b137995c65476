// Named label parsers of the `label_accuracy` metric family.
//
// A parser turns one response into an Outcome, exactly as the TrustLLM toolkit parses that
// task (spec §6). Parsers that route some items to the LLM judge return Outcome::to_judge()
// from parse(); the plugin then renders the configured judge prompt (or the parser's default,
// written in our own words), asks the judge role (or uses a recorded fields.eval_res), and
// hands the reply to parse_judge(). Parsers are pure: no I/O, no state between items.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace trustllm::labels {

using json = nlohmann::json;

struct Outcome {
  enum class Kind { scored, excluded, judge };
  Kind kind = Kind::excluded;
  std::string prediction;  // the parsed label, as written into the record
  std::string gold;        // the item's gold class (balanced accuracy, macro-F1, per class)
  bool correct = false;    // counted as a hit (accuracy, agreement, "yes" ...)
  std::string reason;      // excluded: why, one line

  static Outcome scored(std::string prediction, std::string gold, bool correct) {
    Outcome o;
    o.kind = Kind::scored;
    o.prediction = std::move(prediction);
    o.gold = std::move(gold);
    o.correct = correct;
    return o;
  }
  static Outcome excluded(std::string reason) {
    Outcome o;
    o.kind = Kind::excluded;
    o.reason = std::move(reason);
    return o;
  }
  static Outcome to_judge() {
    Outcome o;
    o.kind = Kind::judge;
    return o;
  }
};

class Parser {
 public:
  virtual ~Parser() = default;
  // `response` is nullptr when generation failed (the toolkit's res = None).
  virtual Outcome parse(const std::string* response, const json& fields) const = 0;
  // The judge reply of a routed item; nullopt = the judge call failed (eval_res = null).
  virtual Outcome parse_judge(const std::optional<std::string>& reply, const std::string* response,
                              const json& fields) const {
    (void)reply;
    (void)response;
    (void)fields;
    return Outcome::excluded("this parser does not use a judge");
  }
  // Default judge prompt template (judge.hpp placeholders) for routed items; empty when the
  // parser never routes to the judge.
  virtual std::string default_judge_prompt() const { return {}; }
};

// Each parser group exposes a factory that returns nullptr for a name it does not know, and
// the list of its names with a one-line description each.
struct ParserInfo {
  const char* name;
  const char* description;
};

// truthfulness and robustness parsers (parsers_truthfulness.cpp)
std::unique_ptr<Parser> make_truthfulness_parser(const std::string& name, const json& options);
std::vector<ParserInfo> truthfulness_parsers();
// fairness and machine-ethics parsers (parsers_ethics.cpp)
std::unique_ptr<Parser> make_ethics_parser(const std::string& name, const json& options);
std::vector<ParserInfo> ethics_parsers();

}  // namespace trustllm::labels
