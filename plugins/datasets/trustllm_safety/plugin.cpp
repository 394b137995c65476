// Entry point of the trustllm_safety plugin library.
#include "safety_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::safety::SafetyDataset)
