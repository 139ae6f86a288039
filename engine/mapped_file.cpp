// MappedFile: open without blocking, check the kind of file, map it, close the descriptor.
#include "mapped_file.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace seekbench {

MappedFile MappedFile::open(const std::string& path)
{
    // Non-blocking, so a FIFO does not wait for a writer before it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        throw Error(ErrorCode::Io, path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error(ErrorCode::Io, path + (S_ISDIR(st.st_mode) ? ": is a folder, not a model file"
                                                                : ": not a regular file (a device, a pipe or a socket)"));
    }
    MappedFile m;
    m.m_size = static_cast<std::size_t>(st.st_size);
    if (m.m_size > 0) {
        void* map = mmap(nullptr, m.m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        const int map_errno = errno;
        ::close(fd);
        if (map == MAP_FAILED)
            throw Error(ErrorCode::Io, path + ": cannot map the file: " + std::strerror(map_errno));
        m.m_data = static_cast<const uint8_t*>(map);
    } else {
        ::close(fd);
    }
    return m;
}

MappedFile::~MappedFile()
{
    if (m_data)
        munmap(const_cast<uint8_t*>(m_data), m_size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0))
{
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept
{
    if (this != &other) {
        if (m_data)
            munmap(const_cast<uint8_t*>(m_data), m_size);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

} // namespace seekbench
