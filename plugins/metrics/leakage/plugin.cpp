// Entry point of the leakage metric plugin library.
#include "leakage.hpp"

TRUSTLLM_PLUGIN(trustllm::leakage::Leakage)
