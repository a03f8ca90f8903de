# SPDX-License-Identifier: Apache-2.0
# Checks that nacs-coreset --preset large is the flags it stands for, no more.
#   cmake -DEXE=nacs-coreset -DDIR=<dir> -DARGS="--synthetic|2000|..." -DEXPLICIT="--embedding|plain|..." -P coreset_preset.cmake
# Run A: ARGS --preset large --evaluate --out preset_a.csv. Run B: ARGS --preset paper EXPLICIT --evaluate
# --out preset_b.csv. Run C: ARGS --preset paper --evaluate --out preset_c.csv (the paper's defaults).
# A and B must write the same coreset and report the same test AUC; C must differ from A (or the
# preset changed nothing).
cmake_minimum_required(VERSION 3.21)
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" explicit "${EXPLICIT}")
include(${CMAKE_CURRENT_LIST_DIR}/coreset_runs.cmake)
run_json(a --evaluate --preset large --out preset_a.csv)
run_json(b --evaluate --preset paper ${explicit} --out preset_b.csv)
run_json(c --evaluate --preset paper --out preset_c.csv)
expect_files(SAME preset_a.csv preset_b.csv "--preset large and the flags ${EXPLICIT} selected different coresets")
expect_files(DIFFERENT preset_a.csv preset_c.csv
             "--preset large selected the same coreset as the defaults: the preset changed nothing")
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
