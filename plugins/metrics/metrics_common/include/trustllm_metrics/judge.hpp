// LLM-judge access for metric plugins. The judge is whatever model the suite binds to the
// `judge` role (--judge FILE.yaml); metrics only render a prompt, ask, and parse the reply.
//
// Prompt templates are configuration (YAML), written in our own words. Placeholders are
// replaced in one pass, so a substituted text is never scanned again:
//   {response}        the model's answer ("" when null)
//   {prompt}          the item's prompt
//   {field:NAME}      str() of fields.NAME in Python rendering (lists as ['a', 'b'], null as
//                     None), as the toolkit substitutes item fields
//   {field:/a/0/b}    the same for a JSON pointer into the fields
//   {NAME}            a value the metric passes in `extra` (e.g. {first}, {second})
// Any other text in braces is kept literally.
#pragma once

#include <trustllm/plugin.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace trustllm::judge {

using json = nlohmann::json;

class Template {
 public:
  // Throws sdk::config_error(config_key, ...) when the text is empty or names a {NAME} that is
  // neither a built-in placeholder nor in `extra_names`.
  static Template parse(const std::string& text, const std::string& config_key,
                        const std::vector<std::string>& extra_names = {});
  std::string render(const json& sample,
                     const std::map<std::string, std::string>& extra = {}) const;
  const std::string& text() const { return text_; }

 private:
  struct Part {
    enum class Kind { literal, response, prompt, field, extra } kind;
    std::string text;  // literal text, extra name
    json::json_pointer pointer;
  };
  std::string text_;
  std::vector<Part> parts_;
};

// One judge verdict source. `reply` is the judge's raw text, or nullopt when the call failed
// or returned no text (the toolkit's eval_res = null).
struct Reply {
  std::optional<std::string> reply;
  bool recorded = false;  // taken from fields.eval_res, nothing called
};

// Asks the `role` model (default "judge"): one user message, temperature 0, max_tokens.
// A failing call throws sdk::Error (the host retries and records a failed evaluation; with no
// judge bound the metric is reported as skipped with the host's reason).
Reply ask(sdk::Call& call, const std::string& prompt, int max_tokens,
          const std::string& role = "judge");

// The toolkit's skip rule: when `use_recorded` and the sample's fields carry `eval_res`, that
// recorded reply is used (a string, or null = a failed judge call) and nothing is called;
// otherwise ask().
Reply ask_or_recorded(const json& sample, sdk::Call& call, const std::string& prompt,
                      int max_tokens, bool use_recorded, const std::string& role = "judge");

// Record fields describing a reply: {"judge_reply": text|null, "evaluator": "judge"|"recorded"}.
json reply_record(const Reply& r);

}  // namespace trustllm::judge
