// libFuzzer entry for conversation import: any bytes given as JSON or Markdown must import
// into a real (in-memory) store or throw seekbench::Error, and whatever was imported must
// export again. The first byte picks the format.
#include "engine/error.h"
#include "storage/conversation_store.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        seekbench::storage::ConversationStore store(":memory:");
        const int64_t id = (data[0] & 1) ? store.import_markdown(text) : store.import_json(text);
        (void)store.export_json(id);
        (void)store.export_markdown(id);
    } catch (const seekbench::Error&) {
    }
    return 0;
}
