// Entry point of the label_accuracy metric plugin library.
#include "label_accuracy.hpp"

TRUSTLLM_PLUGIN(trustllm::labels::LabelAccuracy)
