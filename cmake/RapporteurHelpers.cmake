# Shared build helpers: warnings, sanitizers, library and test declarations.

function(rapporteur_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wno-missing-field-initializers -Wnon-virtual-dtor)
  if(RAPPORTEUR_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(RAPPORTEUR_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -O1)
  add_link_options(-fsanitize=thread)
endif()

if(RAPPORTEUR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# The fuzz preset: every library instrumented for libFuzzer's coverage and checked by ASan and
# UBSan; -O1 keeps the fuzzers fast while asserts stay on (Debug).
if(RAPPORTEUR_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1)
  add_link_options(-fsanitize=address,undefined)
endif()

# rapporteur_add_library(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# builds rapporteur_NAME with the alias rapporteur::NAME; headers are included as "NAME/x.h".
function(rapporteur_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(rapporteur_${name} ${ARG_SOURCES})
  add_library(rapporteur::${name} ALIAS rapporteur_${name})
  target_include_directories(rapporteur_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(rapporteur_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  rapporteur_set_warnings(rapporteur_${name})
endfunction()

# rapporteur_add_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT SECONDS]): a GoogleTest
# executable registered with CTest, its tests carrying LABELS, each allowed TIMEOUT seconds
# (300 unless given).
function(rapporteur_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  rapporteur_set_warnings(${name})
  if(ARG_LABELS)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()

# rapporteur_embed_files(OUT_VAR BASE_DIR DIR OUTPUT FILE [NAMESPACE NS] FILES ...): generates a
# .cpp defining NS::embedded_assets() (default NS: rapporteur::web::internal) with the files'
# bytes, so the binary does not depend on where it is installed.
function(rapporteur_embed_files out_var)
  cmake_parse_arguments(ARG "" "BASE_DIR;OUTPUT;NAMESPACE" "FILES" ${ARGN})
  if(NOT ARG_NAMESPACE)
    set(ARG_NAMESPACE "rapporteur::web::internal")
  endif()
  # '|' separates the files on the command line: a ';' would split the shell command.
  string(REPLACE ";" "|" files_argument "${ARG_FILES}")
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DBASE_DIR=${ARG_BASE_DIR} -DOUTPUT=${ARG_OUTPUT} -DNAMESPACE=${ARG_NAMESPACE}
            "-DFILES=${files_argument}" -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake
    COMMENT "Embedding static assets"
    VERBATIM)
  set(${out_var} ${ARG_OUTPUT} PARENT_SCOPE)
endfunction()
