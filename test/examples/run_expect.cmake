# Runs a program and checks its exit status and output; for the example programs' tests.
#   cmake -DEXE=prog -DARGS="a|b|c" [-DDIR=dir] [-DRC=2] [-DSTDERR=regex] [-DSTDOUT=regex]
#         [-DONE_LINE_STDERR=ON] [-DEMPTY_STDOUT=ON] [-DEMPTY_STDERR=ON] -P run_expect.cmake
# ARGS separates arguments with '|'. RC is the exit status expected (default 0); a crash
# (signal) never matches. STDERR / STDOUT are regexes the streams must contain.
# ONE_LINE_STDERR: stderr must be exactly one line. EMPTY_STDOUT / EMPTY_STDERR: nothing there.
cmake_minimum_required(VERSION 3.21)
if(NOT DEFINED EXE)
  message(FATAL_ERROR "run_expect.cmake: pass -DEXE=<program>")
endif()
string(REPLACE "|" ";" args "${ARGS}")
if(NOT DEFINED DIR)
  set(DIR ".")
endif()
if(NOT DEFINED RC)
  set(RC 0)
endif()
execute_process(COMMAND ${EXE} ${args} WORKING_DIRECTORY ${DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(what "${EXE} ${args}\n--- exit status: ${rc}\n--- stdout:\n${out}\n--- stderr:\n${err}")
if(NOT rc STREQUAL "${RC}")
  message(FATAL_ERROR "expected exit status ${RC}\n${what}")
endif()
if(DEFINED STDERR AND NOT err MATCHES "${STDERR}")
  message(FATAL_ERROR "stderr does not match '${STDERR}'\n${what}")
endif()
if(DEFINED STDOUT AND NOT out MATCHES "${STDOUT}")
  message(FATAL_ERROR "stdout does not match '${STDOUT}'\n${what}")
endif()
if(ONE_LINE_STDERR AND NOT err MATCHES "^[^\n]+\n$")
  message(FATAL_ERROR "stderr is not exactly one line\n${what}")
endif()
if(EMPTY_STDOUT AND NOT out STREQUAL "")
  message(FATAL_ERROR "stdout is not empty\n${what}")
endif()
if(EMPTY_STDERR AND NOT err STREQUAL "")
  message(FATAL_ERROR "stderr is not empty\n${what}")
endif()
message(STATUS "ok: exit status ${rc}; stderr: ${err}")
