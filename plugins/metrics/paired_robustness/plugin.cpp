// Entry point of the paired_robustness metric plugin library.
#include "paired_robustness.hpp"

TRUSTLLM_PLUGIN(trustllm::robustness::PairedRobustness)
