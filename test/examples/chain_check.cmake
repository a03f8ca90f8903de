# SPDX-License-Identifier: Apache-2.0
# Runs one program that writes a file, then another that reads it; the second's stdout must match.
#   cmake -DFIRST=prog1 -DFIRST_ARGS="a|b" -DSECOND=prog2 -DSECOND_ARGS="c|d" -DDIR=dir -DSTDOUT=regex
#         -P chain_check.cmake
cmake_minimum_required(VERSION 3.21)
foreach(step FIRST SECOND)
  string(REPLACE "|" ";" args "${${step}_ARGS}")
  execute_process(COMMAND ${${step}} ${args} WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${${step}} ${args} failed with ${rc}\n--- stdout:\n${out}\n--- stderr:\n${err}")
  endif()
endforeach()
if(NOT out MATCHES "${STDOUT}")
  message(FATAL_ERROR "stdout of ${SECOND} does not match '${STDOUT}'\n--- stdout:\n${out}\n--- stderr:\n${err}")
endif()
message(STATUS "ok: ${out}")
