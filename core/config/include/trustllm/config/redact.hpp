// Secret redaction for manifests and logs.
#pragma once

#include <trustllm/config/document.hpp>

#include <string_view>

namespace trustllm::config {

inline constexpr const char* kRedacted = "***";

// True for key names that hold secrets: api_key / api-key / apikey, token (not max_tokens or
// tokenizer), secret, password, authorization (any case), unless the name ends in "_env"
// (such a key holds the NAME of an environment variable).
bool is_secret_key(std::string_view key);

// A copy of `value` (found at `base_pointer` in `doc`) in which every value that came from
// ${VAR} interpolation and every non-null, non-boolean value under a secret key is "***".
json redact_secrets(const json& value, const Document& doc, const std::string& base_pointer = "");

}  // namespace trustllm::config
