// Fixture "same_symbol_a" / "same_symbol_b": a model whose call() returns what this library's
// helpers say: {"text": <fixture_helper()>, "exported": <fixture_exported_helper()>}.
// Component names differ (fixture_letter_model_a / _b) so both can sit in one Registry.
#include <trustllm/plugin.hpp>

#include "same_symbol_helper.hpp"

namespace sdk = trustllm::sdk;
using sdk::json;

namespace {

class LetterModel : public sdk::Model {
 public:
  static sdk::Meta meta() {
    return {FIXTURE_LETTER[0] == 'A' ? "fixture_letter_model_a" : "fixture_letter_model_b",
            "1.0.0", "fixture: answers with its own library's letter"};
  }
  LetterModel(const json&, sdk::Host) {}
  json identity(sdk::Call&) override { return {{"backend", "fixture"}, {"model", FIXTURE_LETTER}}; }
  json call(const json&, sdk::Call&) override {
    return {{"text", fixture_helper()}, {"exported", fixture_exported_helper()}};
  }
};

}  // namespace

TRUSTLLM_PLUGIN(LetterModel)
