// Judge prompt templates (one-pass placeholder substitution) and judge calls through the host's
// model roles, with the toolkit's recorded-eval_res skip rule (see judge.hpp).
#include "trustllm_metrics/judge.hpp"

#include <algorithm>

#include "trustllm_metrics/pytext.hpp"
#include "trustllm_metrics/sample.hpp"

namespace trustllm::judge {

namespace {

bool is_identifier(const std::string& s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// "{field:NAME}" names a top-level key; "{field:/a/0}" is a JSON pointer.
json::json_pointer field_pointer(const std::string& spec, const std::string& config_key) {
  if (spec.empty())
    throw sdk::config_error(config_key, "{field:} needs a field name or a JSON pointer");
  if (spec[0] == '/') {
    try {
      return json::json_pointer(spec);
    } catch (const json::exception&) {
      throw sdk::config_error(config_key, "{field:" + spec + "} is not a valid JSON pointer");
    }
  }
  return json::json_pointer() / spec;
}

}  // namespace

Template Template::parse(const std::string& text, const std::string& config_key,
                         const std::vector<std::string>& extra_names) {
  if (text.empty()) throw sdk::config_error(config_key, "the prompt template is empty");
  Template t;
  t.text_ = text;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    t.parts_.push_back(Part{Part::Kind::literal, literal, json::json_pointer()});
    literal.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '{') {
      literal.push_back(text[i++]);
      continue;
    }
    const size_t close = text.find('}', i + 1);
    const size_t reopen = text.find('{', i + 1);
    if (close == std::string::npos || (reopen != std::string::npos && reopen < close)) {
      literal.push_back(text[i++]);
      continue;
    }
    const std::string inner = text.substr(i + 1, close - i - 1);
    Part part{Part::Kind::literal, std::string(), json::json_pointer()};
    if (inner == "response") {
      part.kind = Part::Kind::response;
    } else if (inner == "prompt") {
      part.kind = Part::Kind::prompt;
    } else if (inner.rfind("field:", 0) == 0) {
      part.kind = Part::Kind::field;
      part.text = inner.substr(6);
      part.pointer = field_pointer(part.text, config_key);
    } else if (is_identifier(inner)) {
      if (std::find(extra_names.begin(), extra_names.end(), inner) == extra_names.end()) {
        std::string allowed = "{response}, {prompt}, {field:NAME}";
        for (const auto& n : extra_names) allowed += ", {" + n + "}";
        throw sdk::config_error(config_key,
                                "unknown placeholder {" + inner + "} (allowed: " + allowed + ")");
      }
      part.kind = Part::Kind::extra;
      part.text = inner;
    } else {  // any other text in braces stays literal
      literal.append(text, i, close - i + 1);
      i = close + 1;
      continue;
    }
    flush();
    t.parts_.push_back(std::move(part));
    i = close + 1;
  }
  flush();
  return t;
}

std::string Template::render(const json& sample,
                             const std::map<std::string, std::string>& extra) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::Kind::literal:
        out += p.text;
        break;
      case Part::Kind::response: {
        const std::string* r = metrics::response_of(sample);
        if (r) out += *r;
        break;
      }
      case Part::Kind::prompt: {
        auto it = sample.is_object() ? sample.find("prompt") : sample.end();
        if (sample.is_object() && it != sample.end() && !it->is_null()) out += py::str(*it);
        break;
      }
      case Part::Kind::field: {
        const json* v = metrics::resolve(metrics::fields_of(sample), p.pointer);
        if (!v)
          throw sdk::Error(TLM_E_INPUT, "item " + metrics::item_id(sample) +
                                            ": the judge prompt needs field '" + p.text +
                                            "', which the item does not have");
        out += py::str(*v);
        break;
      }
      case Part::Kind::extra: {
        auto it = extra.find(p.text);
        if (it == extra.end())
          throw sdk::Error(TLM_E_RUNTIME, "judge template: no value passed for {" + p.text + "}");
        out += it->second;
        break;
      }
    }
  }
  return out;
}

Reply ask(sdk::Call& call, const std::string& prompt, int max_tokens, const std::string& role) {
  const json request = {{"op", "chat"},
                        {"messages", json::array({{{"role", "user"}, {"content", prompt}}})},
                        {"temperature", 0},
                        {"max_tokens", max_tokens}};
  const json reply = call.call_model(role, request);
  Reply r;
  if (reply.is_object()) {
    auto it = reply.find("text");
    if (it != reply.end() && it->is_string()) r.reply = it->get<std::string>();
  }
  return r;
}

Reply ask_or_recorded(const json& sample, sdk::Call& call, const std::string& prompt,
                      int max_tokens, bool use_recorded, const std::string& role) {
  if (use_recorded) {
    if (const json* rec = metrics::recorded_eval(sample)) {
      Reply r;
      r.recorded = true;
      if (rec->is_string())
        r.reply = rec->get<std::string>();
      else if (!rec->is_null())
        r.reply = py::str(*rec);
      return r;
    }
  }
  return ask(call, prompt, max_tokens, role);
}

json reply_record(const Reply& r) {
  return json{{"judge_reply", r.reply ? json(*r.reply) : json(nullptr)},
              {"evaluator", r.recorded ? "recorded" : "judge"}};
}

}  // namespace trustllm::judge
