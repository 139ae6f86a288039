# Runs the GGUF fuzzer for a bounded time on a seed corpus: small valid files the tests
# wrote, plus the vocabulary files of ../shared (tokenizers of real size).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus")
file(GLOB seeds "${SEEDS}/*.gguf")
foreach(seed ${seeds})
  file(SIZE "${seed}" size)
  if(size LESS 2000000)
    file(COPY "${seed}" DESTINATION "${WORK}/corpus")
  endif()
endforeach()
file(GLOB vocabs "${SHARED}/vocab/ggml-vocab-gpt-2.gguf" "${SHARED}/vocab/ggml-vocab-llama-spm.gguf")
foreach(seed ${vocabs})
  file(COPY "${seed}" DESTINATION "${WORK}/corpus")
endforeach()
execute_process(
  COMMAND "${FUZZER}" -max_total_time=30 -max_len=4000000 -rss_limit_mb=3000 -timeout=20
          -print_final_stats=1 "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" runs "${err}")
message(STATUS "fuzzer: ${runs}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a problem (exit ${rc}):\n${err}")
endif()
