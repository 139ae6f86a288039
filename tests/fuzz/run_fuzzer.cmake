# Runs one fuzzer for SECONDS on a copy of its seeds: SEEDS is a |-separated list of globs
# (a target's folder in tests/fuzz, or files other tests wrote, of which those over 2 MB are
# left out). The repository's corpus is only read here; `dev.sh fuzz` grows it. Fails with
# the fuzzer's report when it finds a crash, a leak or a hang.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus")
string(REPLACE "|" ";" globs "${SEEDS}")
file(GLOB seeds ${globs})
foreach(seed ${seeds})
  file(SIZE "${seed}" size)
  if(size LESS 2000000)
    file(COPY "${seed}" DESTINATION "${WORK}/corpus")
  endif()
endforeach()
set(ENV{SEEKBENCH_SHARED} "${SHARED}") # where fuzz_tokenizer finds the real vocabularies
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -max_len=${MAX_LEN} -rss_limit_mb=3000 -timeout=20
          -print_final_stats=1 "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" runs "${err}")
message(STATUS "fuzzer: ${runs}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a problem (exit ${rc}):\n${err}")
endif()
