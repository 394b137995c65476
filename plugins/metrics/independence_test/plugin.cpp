// Entry point of the independence_test metric plugin library.
#include "independence_test.hpp"

TRUSTLLM_PLUGIN(trustllm::independence::IndependenceTest)
