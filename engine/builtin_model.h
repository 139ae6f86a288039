// Where Seekbench's own model (resources/models/seekbench-moe.gguf) is: beside an installed
// binary (<prefix>/share/seekbench/models/), or in the source tree the binary was built
// from. SEEKBENCH_BUILTIN_MODEL overrides both; "" when there is none.
#pragma once

#include <string>

namespace seekbench {

std::string builtin_model_path();

} // namespace seekbench
