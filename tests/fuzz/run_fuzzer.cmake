# Runs one fuzzer for SECONDS on a copy of its seed folder (the repository's corpus is only
# read here; `dev.sh fuzz` grows it). Fails with the fuzzer's report when it finds a crash.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus")
file(GLOB seeds "${SEEDS}/*")
file(COPY ${seeds} DESTINATION "${WORK}/corpus")
set(ENV{SEEKBENCH_SHARED} "${SHARED}") # where fuzz_tokenizer finds the real vocabularies
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -max_len=65536 -rss_limit_mb=3000 -timeout=20
          -print_final_stats=1 "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" runs "${err}")
message(STATUS "fuzzer: ${runs}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a problem (exit ${rc}):\n${err}")
endif()
