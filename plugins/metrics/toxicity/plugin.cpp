// Entry point of the toxicity metric plugin library.
#include "toxicity.hpp"

TRUSTLLM_PLUGIN(trustllm::toxicity::Toxicity)
