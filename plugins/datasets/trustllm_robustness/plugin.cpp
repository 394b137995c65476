// Entry point of the trustllm_robustness plugin library.
#include "robustness_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::robustness::RobustnessDataset)
