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

// `text` safe to print: control bytes (but newline and tab), NUL and bytes that are not
// valid UTF-8 become \xNN. Names read from files reach messages; a NUL would cut them short
// and an escape sequence would reach the terminal.
inline std::string printable(const std::string& text)
{
    std::string out;
    const auto hex = [&out](unsigned char b) {
        const char* digits = "0123456789ABCDEF";
        out += "\\x";
        out += digits[b >> 4];
        out += digits[b & 15];
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
                hex(c);
            else
                out += static_cast<char>(c);
            ++i;
            continue;
        }
        const std::size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        bool ok = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        if (ok) {
            out.append(text, i, len);
            i += len;
        } else {
            hex(c);
            ++i;
        }
    }
    return out;
}

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message)
        : std::runtime_error(printable(message)), m_code(code) {}
    ErrorCode code() const { return m_code; }

private:
    ErrorCode m_code;
};

} // namespace seekbench
