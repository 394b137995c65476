// Entry point of the perspective model plugin library.
#include "perspective.hpp"

TRUSTLLM_PLUGIN(trustllm::perspective::Perspective)
