// Umbrella header for trustllm_util.
#pragma once

#include "trustllm/util/canonical_json.hpp"
#include "trustllm/util/seed.hpp"
#include "trustllm/util/sha256.hpp"
#include "trustllm/util/time.hpp"
