// Umbrella header for trustllm_store.
#pragma once

#include "trustllm/store/cache_db.hpp"
#include "trustllm/store/error.hpp"
#include "trustllm/store/rows.hpp"
#include "trustllm/store/run_db.hpp"
#include "trustllm/store/writer.hpp"
