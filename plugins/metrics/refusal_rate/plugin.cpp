// Entry point of the refusal_rate metric plugin library.
#include "refusal_rate.hpp"

TRUSTLLM_PLUGIN(trustllm::refusal::RefusalRate)
