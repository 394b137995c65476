// Entry point of the embedding_similarity metric plugin library.
#include "embedding_similarity.hpp"

TRUSTLLM_PLUGIN(trustllm::embedding::EmbeddingSimilarity)
