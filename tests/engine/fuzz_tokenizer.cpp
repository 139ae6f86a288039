// libFuzzer entry for the tokenizers: SentencePiece and byte-level BPE on the real
// vocabularies of ../shared/vocab (llama, gpt-2, deepseek-coder, deepseek-llm), and
// WordPiece on a vocabulary made here. The first byte picks the tokenizer and the flags;
// the rest is the text. Every input must tokenize to ids inside the vocabulary and decode
// (whole and streamed) without a crash, a hang or a read outside a buffer.
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/gguf_writer.h"
#include "engine/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

std::vector<std::unique_ptr<seekbench::Tokenizer>> g_tokenizers;
std::vector<std::unique_ptr<seekbench::GgufFile>> g_files;

void wordpiece(const std::string& path)
{
    std::vector<std::string> tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    std::vector<int32_t> types(tokens.size(), 3);
    for (const char* piece : {"a", "b", "c", "e", "i", "n", "o", "s", "t", "the", "ing", "中", "é", "##", ".", ","})
        for (const std::string& prefix : {std::string("\xE2\x96\x81"), std::string()}) {
            tokens.push_back(prefix + piece);
            types.push_back(1);
        }
    seekbench::GgufWriter w;
    w.add_string("tokenizer.ggml.model", "bert");
    w.add_strings("tokenizer.ggml.tokens", tokens);
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_u32("tokenizer.ggml.unknown_token_id", 1);
    w.add_u32("tokenizer.ggml.bos_token_id", 2);
    w.add_u32("tokenizer.ggml.seperator_token_id", 3);
    w.write(path);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const char* shared = std::getenv("SEEKBENCH_SHARED"); // ../shared; without it, WordPiece alone
    const std::string vocab = std::string(shared ? shared : "../shared") + "/vocab/";
    std::vector<std::string> paths;
    for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-deepseek-coder.gguf",
                             "ggml-vocab-deepseek-llm.gguf"})
        if (std::filesystem::exists(vocab + name))
            paths.push_back(vocab + name);
    const std::string wpm = (std::filesystem::temp_directory_path() / "seekbench-fuzz-wordpiece.gguf").string();
    wordpiece(wpm);
    paths.push_back(wpm);
    for (const std::string& p : paths) {
        g_files.push_back(seekbench::GgufFile::open(p));
        g_tokenizers.push_back(seekbench::Tokenizer::from_gguf(*g_files.back()));
    }
    std::filesystem::remove(wpm); // mapped by now: the mapping outlives the name
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    if (size == 0 || g_tokenizers.empty())
        return 0;
    const seekbench::Tokenizer& tok = *g_tokenizers[data[0] % g_tokenizers.size()];
    const bool add_bos = data[0] & 0x10, special = data[0] & 0x20, continues = data[0] & 0x40;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const std::vector<int32_t> ids = tok.encode(text, add_bos, special, continues);
        for (int32_t id : ids)
            if (id < 0 || id >= tok.n_vocab())
                __builtin_trap();
        (void)tok.decode(ids, special);
        seekbench::StreamDecoder stream(tok, true);
        std::string streamed;
        for (int32_t id : ids)
            streamed += stream.push(id);
        streamed += stream.finish();
        if (seekbench::utf8_complete_prefix(streamed) != streamed.size())
            __builtin_trap(); // the stream never hands out half a character
    } catch (const seekbench::Error&) {
    }
    return 0;
}
