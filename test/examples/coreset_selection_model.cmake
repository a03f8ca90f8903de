# SPDX-License-Identifier: Apache-2.0
# Checks that nacs-coreset --selection-model picks the selection's model and --model the evaluated one.
#   cmake -DEXE=nacs-coreset -DDIR=<dir> -DARGS="--synthetic|2000|..." -P coreset_selection_model.cmake
# Run A: ARGS --model deepfm. Run B: ARGS --model dcnv2 --selection-model deepfm. Run C: ARGS --model dcnv2.
# All three with --evaluate and --out. A and B must select the same coreset (the same selection model,
# the same seed) but report different test AUCs (B evaluates a DCNv2); C selects with a DCNv2, so its
# coreset differs from B's. The JSON keys model and selection_model say which is which.
cmake_minimum_required(VERSION 3.21)
string(REPLACE "|" ";" args "${ARGS}")
include(${CMAKE_CURRENT_LIST_DIR}/coreset_runs.cmake)
run_json(a --evaluate --model deepfm --out selection_model_a.csv)
run_json(b --evaluate --model dcnv2 --selection-model deepfm --out selection_model_b.csv)
run_json(c --evaluate --model dcnv2 --out selection_model_c.csv)
expect_files(SAME selection_model_a.csv selection_model_b.csv
             "--model dcnv2 --selection-model deepfm selected another coreset than --model deepfm")
expect_files(DIFFERENT selection_model_b.csv selection_model_c.csv
             "--selection-model deepfm selected the same coreset as a DCNv2 selection: the flag changed nothing")
string(JSON a_auc GET "${a}" test_auc)
string(JSON b_auc GET "${b}" test_auc)
if(a_auc STREQUAL b_auc)
  message(FATAL_ERROR "--model deepfm and --model dcnv2 --selection-model deepfm report the same test AUC ${a_auc}: "
                      "the evaluated model did not follow --model")
endif()
expect_keys("a:model:deepfm" "a:selection_model:deepfm" "b:model:dcnv2" "b:selection_model:deepfm"
            "c:model:dcnv2" "c:selection_model:dcnv2")
message(STATUS "ok: one coreset from a DeepFM selection; test AUC ${a_auc} (DeepFM) and ${b_auc} (DCNv2)")
