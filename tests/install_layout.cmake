# Installs the build into a scratch prefix (the .deb's component) and checks what a user's
# machine gets: the programs, the built-in model where they look for it, man pages, and the
# desktop integration files, valid. Run by ctest: cmake -DBUILD=... -DPREFIX=... -DGUI=ON|OFF -P
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD}" --prefix "${PREFIX}" --component runtime
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${err}")
endif()

set(expected bin/seekbench-cli share/seekbench/models/seekbench-moe.gguf share/man/man1/seekbench-cli.1)
if(GUI)
  list(APPEND expected bin/seekbench bin/seekbench-server share/man/man1/seekbench.1
       share/man/man1/seekbench-server.1
       share/applications/io.github.seekbench.Seekbench.desktop
       share/metainfo/io.github.seekbench.Seekbench.metainfo.xml
       share/mime/packages/io.github.seekbench.Seekbench.xml
       share/icons/hicolor/scalable/apps/io.github.seekbench.Seekbench.svg)
endif()
foreach(f IN LISTS expected)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
if(GUI)
  # The PNG icons are the size their folder says (a PNG's width and height are bytes 16-23).
  foreach(size 16 22 24 32 48 64 128 256 512)
    set(png "${PREFIX}/share/icons/hicolor/${size}x${size}/apps/io.github.seekbench.Seekbench.png")
    if(NOT EXISTS "${png}")
      message(FATAL_ERROR "not installed: ${png}")
    endif()
    file(READ "${png}" header HEX OFFSET 16 LIMIT 8)
    math(EXPR want "${size}" OUTPUT_FORMAT HEXADECIMAL)
    string(SUBSTRING "${want}" 2 -1 want)
    string(LENGTH "${want}" n)
    while(n LESS 8)
      string(PREPEND want 0)
      math(EXPR n "${n} + 1")
    endwhile()
    if(NOT header STREQUAL "${want}${want}")
      message(FATAL_ERROR "${png}: width/height bytes ${header}, want ${want}${want}")
    endif()
  endforeach()
endif()
file(GLOB_RECURSE cuda_parts "${PREFIX}/*seekbench_cuda*")
if(cuda_parts)
  message(FATAL_ERROR "the CUDA backend belongs to its own component, not the package: ${cuda_parts}")
endif()

# The installed CLI finds the installed model (not the source tree's).
execute_process(COMMAND "${PREFIX}/bin/seekbench-cli" info RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err MATCHES "built-in model ${PREFIX}/share/seekbench/models/seekbench-moe.gguf")
  message(FATAL_ERROR "installed seekbench-cli info: rc ${rc}\n${err}\n${out}")
endif()

# Man pages render without warnings, where groff is at hand.
find_program(GROFF groff)
if(GROFF)
  foreach(page IN ITEMS seekbench-cli seekbench seekbench-server)
    if(EXISTS "${PREFIX}/share/man/man1/${page}.1")
      execute_process(COMMAND ${GROFF} -man -ww -z -Tutf8 "${PREFIX}/share/man/man1/${page}.1"
                      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
      if(NOT rc EQUAL 0 OR err)
        message(FATAL_ERROR "groff ${page}.1: ${err}")
      endif()
    endif()
  endforeach()
endif()

if(GUI)
  # The app starts from the installed tree far enough to parse its options without a display.
  execute_process(COMMAND "${PREFIX}/bin/seekbench" --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "model.gguf")
    message(FATAL_ERROR "installed seekbench --help: rc ${rc}\n${out}\n${err}")
  endif()
  # The desktop file opens what a file manager hands it, as the MIME file declares.
  file(READ "${PREFIX}/share/applications/io.github.seekbench.Seekbench.desktop" desktop)
  file(READ "${PREFIX}/share/mime/packages/io.github.seekbench.Seekbench.xml" mime)
  if(NOT desktop MATCHES "Exec=seekbench %f" OR NOT desktop MATCHES "MimeType=application/x-gguf;"
     OR NOT mime MATCHES "type=\"application/x-gguf\"" OR NOT mime MATCHES "pattern=\"\\*\\.gguf\"")
    message(FATAL_ERROR "the desktop file and the MIME type do not match")
  endif()
  foreach(tool_and_file IN ITEMS "desktop-file-validate|applications/io.github.seekbench.Seekbench.desktop"
                                 "appstreamcli|metainfo/io.github.seekbench.Seekbench.metainfo.xml"
                                 "xmllint|mime/packages/io.github.seekbench.Seekbench.xml")
    string(REPLACE "|" ";" parts "${tool_and_file}")
    list(GET parts 0 tool)
    list(GET parts 1 file)
    find_program(TOOL_${tool} ${tool})
    if(NOT TOOL_${tool})
      continue()
    endif()
    if(tool STREQUAL "appstreamcli")
      set(args validate --no-net --pedantic)
    elseif(tool STREQUAL "xmllint")
      set(args --noout)
    else()
      set(args)
    endif()
    execute_process(COMMAND ${TOOL_${tool}} ${args} "${PREFIX}/share/${file}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${tool} ${file}: ${out}${err}")
    endif()
  endforeach()
endif()
file(REMOVE_RECURSE "${PREFIX}")
