# SPDX-License-Identifier: Apache-2.0
# Checks that nacs-coreset's ablation switches reach what they name.
#   cmake -DEXE=nacs-coreset -DDIR=<dir> -DARGS="--synthetic|2000|..." -P coreset_ablation.cmake
# Run A: ARGS --evaluate (defaults, the paper's for NaCS: --final-weights method trains unweighted on the corrected targets).
# Run B: ARGS --evaluate --final-weights gamma --final-targets labels.
# Run C: ARGS --selection-weights gamma.
# A and B select the same coreset (the final-training switches must not touch the selection), so
# their --out files are equal, while their test AUCs differ (or the switches changed nothing).
# D (--final-weights auto) trains both ways and tests one: its test AUC is A's (none) or E's
# (--final-weights gamma), as final_weights_used says, and its coreset is A's.
# C trains the selection model with the weights gamma, which changes the model that scores rounds 2.., so its
# --out differs from A's. The coreset's shape keys are in range: shares in [0, 1],
# weight_max_over_mean >= 1, 0 < weight_ess_share <= 1.
cmake_minimum_required(VERSION 3.21)
string(REPLACE "|" ";" args "${ARGS}")
include(${CMAKE_CURRENT_LIST_DIR}/coreset_runs.cmake)
run_json(a --evaluate --out ablation_a.csv)
run_json(b --evaluate --final-weights gamma --final-targets labels --out ablation_b.csv)
run_json(c --selection-weights gamma --out ablation_c.csv)
run_json(d --evaluate --final-weights auto --out ablation_d.csv)
run_json(e --evaluate --final-weights gamma --out ablation_e.csv)
expect_files(SAME ablation_a.csv ablation_b.csv "--final-weights/--final-targets changed the selected coreset")
expect_files(DIFFERENT ablation_a.csv ablation_c.csv
             "--selection-weights gamma selected the same coreset as the default: the switch changed nothing")
expect_files(SAME ablation_a.csv ablation_d.csv "--final-weights auto changed the selected coreset")
string(JSON d_used GET "${d}" final_weights_used)
string(JSON d_auc GET "${d}" test_auc)
string(JSON e_auc GET "${e}" test_auc)
string(JSON a_used GET "${a}" final_weights_used)
string(JSON e_used GET "${e}" final_weights_used)
if(NOT a_used STREQUAL "none" OR NOT e_used STREQUAL "gamma")
  message(FATAL_ERROR "final_weights_used: '${a_used}' with none, '${e_used}' with gamma")
endif()
if(d_used STREQUAL "gamma")
  set(d_want "${e_auc}")
elseif(d_used STREQUAL "none")
  string(JSON d_want GET "${a}" test_auc)
else()
  message(FATAL_ERROR "--final-weights auto: final_weights_used is '${d_used}', expected none or gamma")
endif()
if(NOT d_auc STREQUAL d_want)
  message(FATAL_ERROR "--final-weights auto tested a model with AUC ${d_auc}, not the ${d_used} one's ${d_want}")
endif()
string(JSON a_auc GET "${a}" test_auc)
string(JSON b_auc GET "${b}" test_auc)
if(a_auc STREQUAL b_auc)
  message(FATAL_ERROR "none+corrected and gamma+labels gave the same test AUC ${a_auc}: the switches changed nothing")
endif()
expect_keys("a:final_weights:method" "a:final_targets:corrected" "b:final_weights:gamma" "d:final_weights:auto"
            "b:final_targets:labels" "c:selection_weights:gamma" "a:selection_weights:none")
string(JSON pos GET "${a}" coreset_positive_share)
string(JSON base GET "${a}" base_positive_share)
string(JSON wmax GET "${a}" weight_max_over_mean)
string(JSON ess GET "${a}" weight_ess_share)
if(pos LESS 0 OR pos GREATER 1 OR base LESS 0 OR base GREATER 1 OR wmax LESS 1 OR NOT ess GREATER 0 OR ess GREATER 1)
  message(FATAL_ERROR "coreset shape out of range: positive share ${pos}, base ${base}, max/mean ${wmax}, ESS share ${ess}")
endif()
message(STATUS "ok: test AUC ${a_auc} (none+corrected) vs ${b_auc} (gamma+labels), auto tested ${d_used}; ESS share ${ess}, max/mean ${wmax}")
