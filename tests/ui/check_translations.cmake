# Runs lupdate over the sources into a copy of each committed .ts file and fails when the
# result differs from what is committed (new or vanished strings) or when a Chinese
# translation or an English plural form is missing. Fix: cmake --build build --target update_translations, translate.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(failed FALSE)

function(messages_of ts out)
  file(READ "${ts}" text)
  string(REGEX MATCHALL "<source>[^<]*</source>" sources "${text}")
  list(SORT sources)
  set(${out} "${sources}" PARENT_SCOPE)
endfunction()

foreach(lang zh_CN en)
  set(committed "${SOURCE_DIR}/translations/seekbench_${lang}.ts")
  set(fresh "${WORK_DIR}/seekbench_${lang}.ts")
  file(COPY_FILE "${committed}" "${fresh}")
  set(extra)
  if(lang STREQUAL "en")
    set(extra -pluralonly)
  endif()
  execute_process(
    COMMAND "${LUPDATE}" -silent -no-obsolete -locations none ${extra}
            "${SOURCE_DIR}/app" "${SOURCE_DIR}/ui" -ts "${fresh}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed: ${out}")
  endif()
  messages_of("${committed}" before)
  messages_of("${fresh}" after)
  if(NOT before STREQUAL after)
    set(added ${after})
    list(REMOVE_ITEM added ${before})
    set(gone ${before})
    list(REMOVE_ITEM gone ${after})
    message(SEND_ERROR "seekbench_${lang}.ts is out of date.\n  new in the sources: ${added}\n"
                       "  gone from the sources: ${gone}")
    set(failed TRUE)
  endif()
  # Every Chinese string translated; every English plural ("%n file(s)") given its forms.
  file(READ "${fresh}" text)
  string(REGEX MATCHALL "<source>[^<]*</source>[ \t\r\n]*(<comment>[^<]*</comment>[ \t\r\n]*)?<translation type=\"unfinished\"" missing "${text}")
  list(LENGTH missing count)
  if(count GREATER 0)
    message(SEND_ERROR "${count} strings lack a translation in seekbench_${lang}.ts: ${missing}")
    set(failed TRUE)
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "translations are not current")
endif()
message(STATUS "translations current")
