// Entry point of the pair_judge metric plugin library.
#include "pair_judge.hpp"

TRUSTLLM_PLUGIN(trustllm::pair_judge::PairJudge)
