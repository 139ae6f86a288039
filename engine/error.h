// The one exception type engine/ and storage/ throw for anything a file, a user or the OS
// controls. The message names the file, tensor, key or row at fault; the code lets callers
// react without parsing text. Our own invariants use assert, never this. Header-only, so
// storage/ shares it (target seekbench_error) without depending on the engine.
#pragma once

#include <stdexcept>
#include <string>

namespace seekbench {

enum class ErrorCode {
    Io,             // the OS refused: open, read, mmap, write, disk full
    Format,         // a file is not what it claims (bad magic, truncated, out of range)
    Unsupported,    // valid, but something we do not implement (a new quant type, an arch)
    InvalidArgument,// a caller or user passed something unusable
    Device,         // an accelerator is missing, too old, or out of memory
    Database,       // SQLite said no
    Cancelled,      // the user asked us to stop
    ContextFull,    // a conversation or prompt does not fit the model's context
};

inline const char* to_string(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::Format: return "format error";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Device: return "device error";
    case ErrorCode::Database: return "database error";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::ContextFull: return "context full";
    }
    return "error";
}

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message)
        : std::runtime_error(message), m_code(code) {}
    ErrorCode code() const { return m_code; }

private:
    ErrorCode m_code;
};

} // namespace seekbench
