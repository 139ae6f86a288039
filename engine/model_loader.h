// Reading a model's hyper-parameters and weights from GGUF metadata and tensors, for every
// architecture, with errors that name the key or tensor at fault. Internal to model.cpp.
#pragma once

#include "model.h"

namespace seekbench {

// Fills everything but the tokenizer; `n_vocab_tokenizer` checks the vocabulary size.
ModelConfig read_config(const GgufFile& file, int n_vocab_tokenizer);

// Finds and shape-checks every tensor the config calls for.
Weights read_weights(const GgufFile& file, ModelConfig& config, const std::function<void(float)>& progress);

} // namespace seekbench
