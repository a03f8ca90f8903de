# SPDX-License-Identifier: Apache-2.0
# Checks that nacs-coreset --preset large is the flags it stands for, no more.
#   cmake -DEXE=nacs-coreset -DDIR=<dir> -DARGS="--synthetic|2000|..." -DEXPLICIT="--embedding|plain|..." -P coreset_preset.cmake
# Run A: ARGS --preset large --evaluate --out preset_a.csv. Run B: ARGS EXPLICIT --evaluate --out preset_b.csv.
# Run C: ARGS --evaluate --out preset_c.csv (the paper's defaults).
# A and B must write the same coreset and report the same test AUC; C must differ from A (or the
# preset changed nothing).
cmake_minimum_required(VERSION 3.21)
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" explicit "${EXPLICIT}")
function(run_json out_var)
  execute_process(COMMAND ${EXE} ${args} ${ARGN} --evaluate --quiet WORKING_DIRECTORY ${DIR}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "0")
    message(FATAL_ERROR "${EXE} ${args} ${ARGN}: exit status ${rc}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
run_json(a --preset large --out preset_a.csv)
run_json(b ${explicit} --out preset_b.csv)
run_json(c --out preset_c.csv)
file(READ ${DIR}/preset_a.csv csv_a)
file(READ ${DIR}/preset_b.csv csv_b)
file(READ ${DIR}/preset_c.csv csv_c)
if(NOT csv_a STREQUAL csv_b)
  message(FATAL_ERROR "--preset large and the flags ${EXPLICIT} selected different coresets")
endif()
if(csv_a STREQUAL csv_c)
  message(FATAL_ERROR "--preset large selected the same coreset as the defaults: the preset changed nothing")
endif()
foreach(key test_auc random_test_auc candidate_share partitions final_weights)
  string(JSON va GET "${a}" ${key})
  string(JSON vb GET "${b}" ${key})
  if(NOT va STREQUAL vb)
    message(FATAL_ERROR "${key}: '${va}' with --preset large, '${vb}' with ${EXPLICIT}")
  endif()
endforeach()
string(JSON pa GET "${a}" preset)
string(JSON pb GET "${b}" preset)
if(NOT pa STREQUAL "large" OR NOT pb STREQUAL "paper")
  message(FATAL_ERROR "preset keys: '${pa}' and '${pb}', expected 'large' and 'paper'")
endif()
string(JSON auc GET "${a}" test_auc)
message(STATUS "ok: --preset large = ${EXPLICIT} (test AUC ${auc})")
