// Entry point of the replay model plugin library.
#include "replay_model.hpp"

TRUSTLLM_PLUGIN(trustllm::replay::ReplayModel)
