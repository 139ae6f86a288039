// A tiny argument reader for seekbench-cli's subcommands: "-m F", "--temp 0.7",
// "--flag", positional text, and what most subcommands read through it (the model, files).
// Bad values throw seekbench::Error (InvalidArgument).
#pragma once

#include "engine/backend.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seekbench::cli {

class Args {
public:
    // `with_value`: options that take a value; anything else starting with '-' is a flag.
    Args(int argc, char** argv, int first, const std::vector<std::string>& with_value);

    bool has(const std::string& name) const;
    std::string str(const std::string& name, const std::string& fallback = "") const;
    int integer(const std::string& name, int fallback) const;
    double number(const std::string& name, double fallback) const;
    // --threads: 0 (one per core) when absent; a negative count is an error, more than the
    // machine's hardware threads is cut to them with a warning (more only take turns).
    int threads() const;
    const std::vector<std::string>& positional() const { return m_positional; }
    // Names the caller knows, so a typo is an error rather than silence.
    void allow_only(const std::vector<std::string>& names) const;

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

// The model a subcommand works on: -m/--model, else the built-in model (said on stderr).
// Throws Error (InvalidArgument) when there is neither.
std::string model_path(const Args& args);

// The backend a subcommand runs `model` on: --device (cpu, cuda, auto; auto when absent),
// --threads, --cpu, and for a GPU --gpu-layers N and --experts-on-cpu. When it is not the
// one asked for, says why on stderr.
std::unique_ptr<Backend> backend_for(const Args& args, const Model& model);
// `names` and the flags backend_for reads (--experts-on-cpu), for allow_only.
std::vector<std::string> with_backend_flags(std::vector<std::string> names);

// A whole file as text: a regular file of at most 64 MiB (a device, a FIFO, a folder or a
// larger file is refused before anything is read). Throws Error (Io) naming the file.
std::string read_file(const std::string& path);
// The prompt from -p TEXT or -f FILE (both: an error; neither: "").
std::string prompt_text(const Args& args);
// The file's non-empty lines (queries, texts to embed).
std::vector<std::string> read_lines(const std::string& path);

} // namespace seekbench::cli
