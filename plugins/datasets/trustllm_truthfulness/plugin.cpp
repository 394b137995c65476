// Entry point of the trustllm_truthfulness plugin library.
#include "truthfulness_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::truthfulness::TruthfulnessDataset)
