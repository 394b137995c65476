// llama2c — in-process inference of llama2.c-format checkpoints, as a trustllm model plugin.
// One Session per instance; the host creates one instance per worker (MULTI_INSTANCE), and all
// instances share the read-only weights and tokenizer.
#include <trustllm/plugin.hpp>

#include <filesystem>
#include <map>
#include <mutex>

#include "engine/llama2c.hpp"

namespace {

using trustllm::sdk::json;
namespace sdk = trustllm::sdk;
namespace l2 = trustllm::llama2c;

constexpr const char* kSchema = R"json({
  "type": "object",
  "additionalProperties": false,
  "required": ["checkpoint", "tokenizer"],
  "properties": {
    "checkpoint": {"type": "string", "description": "llama2.c checkpoint file (legacy v0 .bin)"},
    "tokenizer": {"type": "string", "description": "llama2.c tokenizer file (e.g. tok512.bin)"},
    "model_name": {"type": "string", "default": "", "description": "name reported in results (default: checkpoint file name)"},
    "top_p": {"type": "number", "default": 1.0, "minimum": 0, "maximum": 1, "description": "nucleus sampling when a request gives none (1 = off)"},
    "max_tokens_cap": {"type": "integer", "default": 0, "minimum": 0, "description": "upper bound on any request's max_tokens (0 = none)"}
  }
})json";

constexpr const char* kExample = R"json(plugin: llama2c
checkpoint: ${TRUSTLLM_MODEL_DIR}/tinyllamas-stories260K/stories260K.bin
tokenizer: ${TRUSTLLM_MODEL_DIR}/tinyllamas-stories260K/tok512.bin
)json";

// Weights and tokenizers are loaded once per process and shared by every instance.
struct SharedModel {
  std::shared_ptr<const l2::Weights> weights;
  std::shared_ptr<const l2::Tokenizer> tokenizer;
};

SharedModel load_shared(const std::string& checkpoint, const std::string& tokenizer) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, SharedModel> cache;
  std::lock_guard lock(mutex);
  auto key = std::make_pair(checkpoint, tokenizer);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  for (const auto& [ptr, path] : {std::pair{"/checkpoint", checkpoint}, {"/tokenizer", tokenizer}}) {
    if (!std::filesystem::exists(path)) {
      throw sdk::Error(TLM_E_NOT_FOUND, std::string(ptr) + ": " + path +
                                            ": file not found — set TRUSTLLM_MODEL_DIR or fix the path");
    }
  }
  SharedModel m;
  try {
    m.weights = l2::Weights::load(checkpoint);
    m.tokenizer = l2::Tokenizer::load(tokenizer, m.weights->config().vocab_size);
  } catch (const std::exception& e) {
    throw sdk::Error(TLM_E_CONFIG, e.what());
  }
  cache.emplace(key, m);
  return m;
}

std::string prompt_of(const json& request) {
  // A story model has no chat template: the messages' contents, one per line.
  std::string prompt;
  for (const auto& m : request.at("messages")) {
    if (!prompt.empty()) prompt += "\n";
    prompt += m.value("content", std::string());
  }
  return prompt;
}

class Llama2c : public sdk::Model {
 public:
  static sdk::Meta meta() {
    sdk::Meta m{"llama2c", "1.0.0",
                "in-process Llama-architecture inference of llama2.c checkpoints (CPU, fp32)"};
    m.license = "Apache-2.0";
    m.config_schema = kSchema;
    m.example_config = kExample;
    m.capabilities = TLM_CAP_MULTI_INSTANCE | TLM_CAP_CHAT;
    return m;
  }

  Llama2c(const json& config, sdk::Host host)
      : host_(std::move(host)),
        shared_(load_shared(config.at("checkpoint").get<std::string>(),
                            config.at("tokenizer").get<std::string>())),
        session_(shared_.weights, shared_.tokenizer),
        top_p_(config.value("top_p", 1.0)),
        cap_(config.value("max_tokens_cap", 0)) {
    name_ = config.value("model_name", std::string());
    if (name_.empty()) name_ = std::filesystem::path(shared_.weights->path()).stem().string();
  }

  json identity(sdk::Call&) override {
    return {{"backend", "llama2c"},
            {"model", name_},
            {"endpoint", "file://" + shared_.weights->path()},
            {"weights_bytes", shared_.weights->file_size()}};
  }

  json call(const json& request, sdk::Call& call) override {
    const std::string op = request.value("op", "chat");
    if (op != "chat") {
      throw sdk::Error(TLM_E_UNSUPPORTED, "llama2c supports op 'chat' only, not '" + op + "'");
    }
    l2::GenerateOptions o;
    o.max_tokens = request.value("max_tokens", 256);
    if (cap_ > 0 && o.max_tokens > cap_) o.max_tokens = cap_;
    o.temperature = static_cast<float>(request.value("temperature", 0.0));
    o.top_p = static_cast<float>(request.value("top_p", top_p_));
    o.seed = request.value("seed", uint64_t{0});
    l2::GenerateResult r;
    try {
      r = session_.generate(prompt_of(request), o, [&] { return call.cancelled(); });
    } catch (const l2::Cancelled&) {
      throw sdk::Error(TLM_E_CANCELLED, "generation cancelled");
    } catch (const std::invalid_argument& e) {
      throw sdk::Error(TLM_E_REQUEST, e.what());
    }
    if (r.prompt_truncated) {
      static std::once_flag warned;
      std::call_once(warned, [&] {
        host_.warn("prompts longer than the context window (" +
                   std::to_string(shared_.weights->config().seq_len) +
                   " tokens) are truncated from the left; the result says prompt_truncated");
      });
    }
    return {{"text", r.text},
            {"finish_reason", r.finish_reason},
            {"model", name_},
            {"prompt_truncated", r.prompt_truncated},
            {"usage", {{"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens}}}};
  }

 private:
  sdk::Host host_;
  SharedModel shared_;
  l2::Session session_;
  double top_p_;
  int cap_;
  std::string name_;
};

}  // namespace

TRUSTLLM_PLUGIN(Llama2c)
