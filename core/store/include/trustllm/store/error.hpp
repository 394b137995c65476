// Errors raised by trustllm_store.
#pragma once

#include <stdexcept>
#include <string>

namespace trustllm::store {

// Version of the database schema written by this build (stored in PRAGMA user_version).
// Opening a file with a larger version fails with a StoreError.
inline constexpr int kSchemaVersion = 1;

// Every failure of the store: a single line "<db file>: <what happened> — <what to do>".
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace trustllm::store
