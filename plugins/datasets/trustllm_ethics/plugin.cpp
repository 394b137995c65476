// Entry point of the trustllm_ethics plugin library.
#include "ethics_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::ethics::EthicsDataset)
