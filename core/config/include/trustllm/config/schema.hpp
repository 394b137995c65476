// A JSON-Schema subset validator that also fills in defaults.
#pragma once

#include <trustllm/config/document.hpp>

namespace trustllm::config {

// Validates `value` (the node found at `base_pointer` in `doc`, or a copy of it) against
// `schema` and fills in `default`s of missing properties, recursively. Supported keywords:
// type, properties, required, additionalProperties, default, enum, const, minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern, items, minItems, maxItems,
// oneOf, anyOf (best effort). Other keywords (description, title, examples, ...) are ignored.
// Throws ConfigError at the YAML location of the offending node (its parent map for a missing
// key) with the full key path.
void validate_and_default(json& value, const json& schema, const Document& doc,
                          const std::string& base_pointer = "");

}  // namespace trustllm::config
