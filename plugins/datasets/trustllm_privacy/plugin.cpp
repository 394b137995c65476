// Entry point of the trustllm_privacy plugin library.
#include "privacy_dataset.hpp"

TRUSTLLM_PLUGIN(trustllm::privacy::PrivacyDataset)
