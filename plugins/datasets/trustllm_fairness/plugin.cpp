// Entry point of the trustllm_fairness plugin library.
#include "fairness_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::fairness::FairnessDataset)
