// libFuzzer entry for the safetensors reader: any bytes must parse or throw seekbench::Error;
// never crash, hang or read outside the buffer (built with ASan + UBSan).
#include "engine/convert/safetensors.h"
#include "engine/error.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    try {
        const auto file = seekbench::SafetensorsFile::parse(data, size, "fuzz");
        std::vector<float> f(16);
        for (const seekbench::StTensor& t : file->tensors()) // every value it claims is readable
            for (int64_t i = 0; i < t.elements(); i += 16)
                t.to_f32(i, std::min<int64_t>(16, t.elements() - i), f.data());
    } catch (const seekbench::Error&) {
    }
    return 0;
}
