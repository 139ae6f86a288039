// libFuzzer entry for the GGUF parser: any bytes must parse or throw seekbench::Error;
// never crash, hang or read outside the buffer (built with ASan + UBSan).
#include "engine/error.h"
#include "engine/gguf.h"
#include "engine/tokenizer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    try {
        const auto file = seekbench::GgufFile::parse(data, size, "fuzz");
        for (const auto& [key, value] : file->metadata())
            if (value.type == seekbench::GgufType::Array && value.elem_type != seekbench::GgufType::String)
                for (uint64_t i = 0; i < value.count && i < 64; ++i)
                    (void)value.array_double(i);
        try {
            const auto tok = seekbench::Tokenizer::from_gguf(*file);
            (void)tok->encode("fuzz me: 深度 🚀", true, true);
        } catch (const seekbench::Error&) {
        }
    } catch (const seekbench::Error&) {
    }
    return 0;
}
