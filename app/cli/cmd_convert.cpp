// seekbench-cli convert: a Hugging Face folder or a llama2.c checkpoint into GGUF.
#include "args.h"
#include "commands.h"

#include "engine/convert/convert.h"
#include "engine/error.h"

#include <cstdio>

namespace seekbench::cli {

int cmd_convert(int argc, char** argv)
{
    const Args a(argc, argv, 2, {"-o", "--tokenizer", "--type", "--threads"});
    a.allow_only({"-o", "--tokenizer", "--type", "--threads"});
    if (a.positional().size() != 1 || a.str("-o").empty())
        throw Error(ErrorCode::InvalidArgument,
                    "usage: convert SRC -o OUT.gguf [--type auto|f32|f16|bf16|q8_0] [--tokenizer tokenizer.bin]");
    ConvertOptions o;
    o.type = a.str("--type", "auto");
    o.tokenizer = a.str("--tokenizer");
    o.threads = a.threads();
    int last_percent = -1;
    o.progress = [&last_percent](std::size_t done, std::size_t total, const std::string& tensor) {
        const int percent = total ? static_cast<int>(100.0 * double(done) / double(total)) : 100;
        if (percent != last_percent)
            std::fprintf(stderr, "\rconvert: %3d%%  %-40s", percent, tensor.c_str());
        last_percent = percent;
    };
    const ConvertResult r = convert_model(a.positional()[0], a.str("-o"), o);
    std::fprintf(stderr, "\n");
    std::printf("%s: %s -> %s, %d tensors, %.2f MiB in %.1f s\n", a.str("-o").c_str(), r.source.c_str(), r.arch.c_str(),
                r.tensors, static_cast<double>(r.bytes) / (1024.0 * 1024.0), r.seconds);
    return 0;
}

} // namespace seekbench::cli
