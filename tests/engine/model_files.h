// Test models: tiny synth models written once per test run, and copies of a model file
// with one thing broken (a key dropped or changed, a tensor missing or reshaped).
#pragma once

#include "engine/gguf.h"
#include "engine/gguf_writer.h"
#include "engine/tensor_type.h"

#include <functional>
#include <string>

namespace seekbench::test {

std::string temp_path(const std::string& name);

// The text llama2.c's authors published for stories260K, greedy from BOS (the oracle in
// ../shared/models/README.md).
std::string published_stories_text();

// A synth preset ("llama-tiny", "qwen2-tiny") at `type`, cached in the test temp dir.
std::string tiny_model(const std::string& preset, TensorType type);

struct Tamper {
    std::string drop_key;                 // leave this metadata key out
    std::string drop_tensor;              // leave this tensor out
    std::string reshape_tensor;           // write this tensor with its first two dims swapped
    std::function<void(GgufWriter&)> add; // extra or replacement metadata
};

// Copies `src` to a new file with the tampering applied; returns its path.
std::string tampered_copy(const std::string& src, const std::string& name, const Tamper& t);

// Copies `src` with `tensor` written as `type`, its blocks zeroed: a file in a format the
// synth writer cannot produce (Q2_K, Q3_K). Returns its path.
std::string retyped_copy(const std::string& src, const std::string& name, const std::string& tensor, TensorType type);

} // namespace seekbench::test
