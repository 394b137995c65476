// Entry point of the correlation metric plugin library.
#include "correlation.hpp"

TRUSTLLM_PLUGIN(trustllm::correlation::Correlation)
