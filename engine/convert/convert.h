// Converting models made elsewhere into GGUF: Hugging Face checkpoint folders (config.json,
// safetensors weights, tokenizer.json) of llama, mistral, qwen2, mixtral, qwen2_moe,
// qwen3_moe and deepseek_v2/v3, and llama2.c checkpoints (model.bin + tokenizer.bin).
// Tensor names, layouts and metadata are the ones llama.cpp writes, so llama.cpp and every
// tool of the ecosystem load the result. Leaves out SentencePiece tokenizer.model files.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

namespace seekbench {

struct ConvertOptions {
    std::string type = "auto";   // auto (the source's float type), f32, f16, bf16 or q8_0
    std::string tokenizer;       // llama2.c: its tokenizer.bin (required there)
    int threads = 0;             // 0: one per core
    const std::atomic<bool>* cancel = nullptr;
    // Bytes of tensor data written so far and in all, and the tensor being written.
    std::function<void(std::size_t done, std::size_t total, const std::string& tensor)> progress;
};

struct ConvertResult {
    std::string source;          // "llama2.c checkpoint", "Hugging Face Qwen2ForCausalLM"
    std::string arch;            // GGUF architecture written
    int tensors = 0;
    std::size_t bytes = 0;       // tensor data written
    double seconds = 0;
};

// `src`: a folder (Hugging Face) or a llama2.c model.bin. Writes `out` through a temporary
// file. Throws Error: InvalidArgument for options, Format/Unsupported naming the file and
// field or tensor for sources it cannot read, Cancelled, Io.
ConvertResult convert_model(const std::string& src, const std::string& out, const ConvertOptions& options);

} // namespace seekbench
