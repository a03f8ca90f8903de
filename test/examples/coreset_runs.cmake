# SPDX-License-Identifier: Apache-2.0
# Helpers of the scripts that compare several nacs-coreset runs (coreset_ablation.cmake,
# coreset_preset.cmake, coreset_selection_model.cmake). They read EXE, DIR and `args` (ARGS split at "|") from the caller.

# run_json(out_var FLAGS...): runs ${EXE} ${args} FLAGS --quiet in ${DIR}; the JSON line in out_var.
function(run_json out_var)
  execute_process(COMMAND ${EXE} ${args} ${ARGN} --quiet WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${EXE} ${args} ${ARGN}: exit status ${rc}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# expect_files(SAME|DIFFERENT a b message): the files ${DIR}/a and ${DIR}/b are equal (or not).
function(expect_files how a b message)
  file(READ ${DIR}/${a} text_a)
  file(READ ${DIR}/${b} text_b)
  if(how STREQUAL "SAME" AND NOT text_a STREQUAL text_b)
    message(FATAL_ERROR "${message} (${a} != ${b})")
  elseif(how STREQUAL "DIFFERENT" AND text_a STREQUAL text_b)
    message(FATAL_ERROR "${message} (${a} == ${b})")
  endif()
endfunction()

# expect_keys("run:key:value" ...): for each triple, the JSON line in the variable `run` has
# `key` equal to `value` (as text).
function(expect_keys)
  foreach(triple IN LISTS ARGN)
    string(REPLACE ":" ";" parts "${triple}")
    list(GET parts 0 run)
    list(GET parts 1 key)
    list(GET parts 2 want)
    string(JSON v GET "${${run}}" ${key})
    if(NOT v STREQUAL want)
      message(FATAL_ERROR "run ${run}: ${key} is '${v}', expected '${want}'")
    endif()
  endforeach()
endfunction()
