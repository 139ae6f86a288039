// A read-only memory map of a whole regular file. Folders, FIFOs and devices are refused
// before anything is read (a FIFO would block a reader forever). Model files of every
// format (GGUF, safetensors, llama2.c checkpoints) are read through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace seekbench {

class MappedFile {
public:
    MappedFile() = default;
    // Throws Error (Io) naming the file when it cannot be opened or mapped, or is not a
    // regular file. An empty file maps to size 0.
    static MappedFile open(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return m_data; }
    std::size_t size() const { return m_size; }

private:
    const uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace seekbench
