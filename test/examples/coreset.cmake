# SPDX-License-Identifier: Apache-2.0
# Tests of the nacs-coreset example (included by examples/CMakeLists.txt with
# NACS_EXAMPLE_TARGET = nacs-coreset). Runs go through coreset_check.cmake (JSON line and
# files) or run_expect.cmake (exit status and messages). Everything runs on tiny inputs:
# small synthetic sets, small models, one or two epochs.
set(coreset_exe $<TARGET_FILE:${NACS_EXAMPLE_TARGET}>)
set(coreset_dir ${CMAKE_CURRENT_BINARY_DIR}/coreset-test)
set(coreset_scripts ${PROJECT_SOURCE_DIR}/test/examples)
set(coreset_criteo ${PROJECT_SOURCE_DIR}/../shared/data/criteo-sample)

# Input files, written at configure time: a CSV of 400 rows with a header (two columns that
# carry the label's signal, one that does not), a file in the wrong format, a header-only file.
file(MAKE_DIRECTORY ${coreset_dir})
set(clicks "click,site,app,noise\n")
foreach(i RANGE 0 399)
  math(EXPR site "${i} % 7")
  math(EXPR app "(${i} * 3) % 5")
  math(EXPR noise "(${i} * 11) % 13")
  math(EXPR rest "(${site} + ${app}) % 3")
  set(click 0)
  if(rest EQUAL 0)
    set(click 1)
  endif()
  string(APPEND clicks "${click},s${site},a${app},n${noise}\n")
endforeach()
file(WRITE ${coreset_dir}/clicks.csv "${clicks}")
file(WRITE ${coreset_dir}/not_criteo.tsv "this is not\ta criteo file\n1\t2\n")

# Small and fast settings shared by most runs.
set(tiny "--fields|4|--vocabulary-size|10|--mlp|16,16|--embedding-dim|4|--epochs|1|--partition-size|256")
set(csv_in "--data|clicks.csv|--format|csv|--label|click|--columns|site,app,noise|--min-count|1")

# Most runs test NaCS: a run that names no --method gets --method nacs (the program's default is
# auto, tested by default_is_auto).
function(nacs_unless_named out args)
  if(NOT args MATCHES "--method\\|")
    set(args "--method|nacs|${args}")
  endif()
  set(${out} "${args}" PARENT_SCOPE)
endfunction()

# A run that must succeed: JSON values in `expect` ("key=value|..."), more checks in ARGN.
function(coreset_check name args expect)
  nacs_unless_named(args "${args}")
  add_test(NAME examples/coreset/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir} "-DARGS=${args}" "-DEXPECT=${expect}"
                   ${ARGN} -P ${coreset_scripts}/coreset_check.cmake)
endfunction()
# A run that must fail with exit status `rc` and one line on stderr matching `regex`, nothing on stdout.
function(coreset_fails name rc args regex)
  nacs_unless_named(args "${args}")
  add_test(NAME examples/coreset/error/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir} "-DARGS=${args}|--quiet" -DRC=${rc}
                   "-DSTDERR=${regex}" -DONE_LINE_STDERR=ON -DEMPTY_STDOUT=ON -P ${coreset_scripts}/run_expect.cmake)
endfunction()

add_test(NAME examples/coreset/help
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} "-DARGS=--help" -DEMPTY_STDERR=ON
                 "-DSTDOUT=^Usage: nacs-coreset.*--synthetic N.*--ratio R.*--method NAME.*nacs\\|random\\|random-balanced\\|setcover\\|kcenter\\|svpcf\\|gradnorm.*--trust NAME.*--filter NAME.*--remove-rate R.*--out FILE.*--emit FILE.*--evaluate.*--evaluate-full.*Exit status"
                 -P ${coreset_scripts}/run_expect.cmake)

# The JSON line starts with the issue's keys, in order; --out writes k rows; per-phase progress on stderr.
coreset_check(synthetic_out "--synthetic|2000|--ratio|0.05|${tiny}|--passes|2|--policy|seq|--out|synthetic.csv"
              "method=nacs|filter=mcdropout|rows=1600|rows_selected=80|rounds=5|input=synthetic|files=[]|rows_skipped=0"
              "-DKEYS=base_flip_share|selected_flip_share|removed_flip_share|coreset_flip_share" -DCSV=synthetic.csv)
set_tests_properties(examples/coreset/synthetic_out PROPERTIES FIXTURES_SETUP coreset_synthetic_out)
add_test(NAME examples/coreset/progress
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                 "-DARGS=--method|nacs|--synthetic|2000|--ratio|0.05|--fields|4|--vocabulary-size|10|--mlp|16,16|--epochs|1|--partition-size|256|--passes|2|--rounds|2"
                 "-DSTDERR=generated 2000 synthetic rows.*rows: 1600 train, 200 valid, 200 test.*round 1/2 scoring.*round 2/2 training.*filtering.*selected 80 rows in .* s .2 rounds, [0-9]+ partitions, [0-9]+ rows scored, 9 removed by the filter.: scoring .*greedy .*training .*filter "
                 "-DSTDOUT=^\\{\"ratio\":0\\.050*[0-9]*,\"method\":\"nacs\",\"filter\":\"mcdropout\",\"rows\":1600,\"rows_selected\":80,\"selection_seconds\":"
                 -P ${coreset_scripts}/run_expect.cmake)
# The programs chain: nacs-train --rows-file reads what nacs-coreset --out wrote (indices into its own
# 1600 training rows: its generator differs; train_reads_csv_out below chains on the same data).
if(EXISTS ${PROJECT_SOURCE_DIR}/examples/train.cpp)  # nacs-train is declared after this file runs
  add_test(NAME examples/coreset/train_reads_out
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:nacs-train> -DDIR=${coreset_dir}
                   "-DARGS=--synthetic|2000|--fields|4|--vocabulary-size|10|--rows-file|synthetic.csv|--epochs|1|--batch-size|64|--policy|seq|--flip-positive|0.2|--flip-negative|0.2"
                   "-DSTDOUT=\"rows\":80,\"epochs\":1," -DSTDERR=with weights -P ${coreset_scripts}/run_expect.cmake)
  set_tests_properties(examples/coreset/train_reads_out PROPERTIES FIXTURES_REQUIRED coreset_synthetic_out)
endif()

# Without --method: auto over its default candidates.
coreset_check(auto_default_candidates "--method|auto|--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2"
              "method=auto|rows_selected=80" "-DKEYS=auto_choice|auto_candidates")
add_test(NAME examples/coreset/default_method
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                 "-DARGS=--synthetic|2000|--ratio|0.05|--fields|4|--vocabulary-size|10|--mlp|16,16|--epochs|1|--rounds|2|--quiet"
                 "-DSTDOUT=\"method\":\"auto\",\"filter\":\"per-candidate\".*\"auto_choice\":" -P ${coreset_scripts}/run_expect.cmake)
# Every method and filter through the one entry point; --noise, --rounds, --trust, --solver.
foreach(method nacs random random-balanced setcover kcenter svpcf gradnorm negsample lcc osmac sensitivity)
  coreset_check(method_${method} "--synthetic|2000|--ratio|0.05|${tiny}|--method|${method}|--policy|par"
                "method=${method}|rows_selected=80")
endforeach()
# The unit-length gradient embedding (nacs::unit_gradient), and the auto candidate that uses it.
coreset_check(embedding_unit "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2|--embedding|unit|--partitions|class-balanced"
              "method=nacs|partitions=class-balanced|rows_selected=80")
coreset_check(auto_unit "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2|--method|auto|--auto-candidates|random,nacs-cb-unit"
              "method=auto|rows_selected=80" "-DKEYS=auto_choice")
# The samples run without a filter unless one is named; the others with MC dropout.
coreset_check(sample_filter "--synthetic|2000|--ratio|0.05|${tiny}|--method|lcc|--pilot-share|0.2|--pilot-sample|balanced|--pilot-model|lr"
              "filter=none|rows_removed=0|pilot_rows=320|importance_weights=OFF")
coreset_check(osmac_weights "--synthetic|2000|--ratio|0.05|${tiny}|--method|osmac|--weight-clip|3|--evaluate"
              "importance_weights=ON|final_weights=method" "-DKEYS=weight_ess_share|rows_trained_selection")
coreset_check(negsample_share "--synthetic|2000|--ratio|0.05|${tiny}|--method|negsample|--positive-share|0.25|--evaluate"
              "coreset_positive_share=0.25|correction=coreset")
# --method auto: every candidate's validation AUC, the choice, and the two controls reused from its trials.
coreset_check(auto "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2|--method|auto|--auto-candidates|random,kcenter,random-balanced|--evaluate"
              "method=auto|filter=per-candidate|rows_selected=80"
              "-DKEYS=auto_choice|auto_candidates|auto_seconds|balanced_test_auc|balanced_test_logloss|valid_auc|random_valid_auc|balanced_valid_auc")
# --evaluate trains the two controls: a random and a class-balanced random sample of k rows.
coreset_check(evaluate_controls "--synthetic|2000|--ratio|0.05|${tiny}|--method|random-balanced|--evaluate"
              "filter=none|correction=class-prior" "-DKEYS=balanced_test_auc|balanced_test_logloss|offset_mean")
coreset_fails(auto_slack_without_auto 2 "--synthetic|1000|--auto-logloss-slack|0.1" "--auto-logloss-slack applies to --method auto")
coreset_fails(auto_slack_negative 2 "--synthetic|1000|--method|auto|--auto-logloss-slack|-1" "--auto-logloss-slack must be >= 0")
coreset_fails(auto_without_validation 1 "--synthetic|1000|--split|0.9,0,0.1|--method|auto"
              "--method auto chooses among its candidates on validation AUC, and there are no validation rows")
coreset_fails(auto_candidates_without_auto 2 "--synthetic|1000|--auto-candidates|random" "--auto-candidates applies to --method auto")
coreset_fails(auto_candidate_unknown 2 "--synthetic|1000|--method|auto|--auto-candidates|random,nacs-xx" "unknown candidate 'nacs-xx'")
coreset_fails(auto_with_filter 2 "--synthetic|1000|--method|auto|--filter|tce" "--filter does not apply to --method auto")
coreset_fails(pilot_share_one 2 "--synthetic|1000|--method|lcc|--pilot-share|1" "--pilot-share must be < 1")
coreset_fails(pilot_sample_unknown 2 "--synthetic|1000|--method|lcc|--pilot-sample|stratified" "--pilot-sample must be one of uniform, balanced")
coreset_fails(pilot_model_unknown 2 "--synthetic|1000|--method|lcc|--pilot-model|gbdt" "--pilot-model must be one of")
coreset_fails(weight_clip_below_one 2 "--synthetic|1000|--method|osmac|--weight-clip|0.5" "--weight-clip must be >= 1")
coreset_fails(positive_share_zero 2 "--synthetic|1000|--method|negsample|--positive-share|0" "--positive-share must be > 0")
foreach(filter tce rce none)
  coreset_check(filter_${filter} "--synthetic|2000|--ratio|0.05|${tiny}|--filter|${filter}|--rounds|2"
                "filter=${filter}|rows_selected=80|rounds=2")
endforeach()
coreset_check(no_removal "--synthetic|2000|--ratio|0.05|${tiny}|--remove-rate|0|--rounds|3|--trust|linear|--solver|lazy"
              "rows_selected=80|rows_removed=0|rounds=3|removed_flip_share=null")
coreset_check(noise_zero "--synthetic|2000|--ratio|0.05|${tiny}|--noise|0|--rounds|1" "base_flip_share=0|coreset_flip_share=0")

# --candidate-share: only the drawn partitions are scored (half the rows of each round here).
coreset_check(candidate_share "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--candidate-share|0.5"
              "candidate_share=0.5")

# --preset large: the five settings it names (nacs::apply_preset), each overridable by its flag.
coreset_check(preset_large "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--preset|large"
              "preset=large|partitions=class-balanced|round_epochs=0|final_weights=auto")  # the share: preset_is_its_flags
coreset_check(preset_override
              "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--preset|large|--candidate-share|0.5|--round-epochs|2|--final-weights|none"
              "preset=large|candidate_share=0.5|partitions=class-balanced|round_epochs=2|final_weights=none")
coreset_check(preset_paper "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--preset|paper"
              "preset=paper|candidate_share=1|partitions=random|round_epochs=1|final_weights=method")
# The default preset: --method nacs with the unit embedding and class-balanced partitions, the same
# coreset as naming both flags under --preset paper; other methods as under paper.
coreset_check(preset_default "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2|--out|preset_default.csv"
              "preset=default|candidate_share=1|partitions=class-balanced|round_epochs=1|final_weights=method"
              -DCSV=preset_default.csv)
coreset_check(preset_default_flags
              "--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2|--preset|paper|--embedding|unit|--partitions|class-balanced|--out|preset_default_flags.csv"
              "preset=paper|partitions=class-balanced" -DCSV=preset_default_flags.csv -DSAME_AS=preset_default.csv)
set_tests_properties(examples/coreset/preset_default PROPERTIES FIXTURES_SETUP coreset_preset_default)
set_tests_properties(examples/coreset/preset_default_flags PROPERTIES FIXTURES_REQUIRED coreset_preset_default)
coreset_check(preset_default_kcenter "--synthetic|2000|--ratio|0.05|${tiny}|--method|kcenter"
              "preset=default|partitions=random")
add_test(NAME examples/coreset/preset_is_its_flags
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                 "-DARGS=--method|nacs|--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2"
                 "-DEXPLICIT=--candidate-share|0.2|--partitions|class-balanced|--embedding|plain|--round-epochs|0|--final-weights|auto"
                 -P ${coreset_scripts}/coreset_preset.cmake)
coreset_fails(preset_unknown 2 "--synthetic|2000|--preset|larg" "--preset must be one of default, paper, large.*did you mean large")

# --final-weights / --final-targets reach the final training only; --selection-weights the selection.
add_test(NAME examples/coreset/ablation_switches
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                 "-DARGS=--method|nacs|--synthetic|2000|--ratio|0.1|${tiny}|--rounds|2|--passes|2"
                 -P ${coreset_scripts}/coreset_ablation.cmake)
# --selection-model: the selection's model; --model: the evaluated one.
add_test(NAME examples/coreset/selection_model
         COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                 "-DARGS=--method|nacs|--synthetic|2000|--ratio|0.05|${tiny}|--rounds|2|--passes|2"
                 -P ${coreset_scripts}/coreset_selection_model.cmake)
coreset_fails(final_weights_auto_without_validation 1 "--synthetic|1000|--split|0.9,0,0.1|--evaluate|--final-weights|auto"
              "--final-weights auto chooses the weighting on validation AUC, and there are no validation rows")
coreset_fails(selection_model_unknown 2 "--synthetic|1000|--selection-model|deepfn"
              "--selection-model must be one of .*did you mean deepfm")
# Equal weights: a random selection's gamma are all 1, so max/mean and the ESS share are 1.
coreset_check(random_shape "--synthetic|2000|--ratio|0.05|${tiny}|--method|random|--filter|none"
              "weight_max_over_mean=1|weight_ess_share=1")

# --evaluate and --evaluate-full: both models tested, and (synthetic) against the clean labels.
coreset_check(evaluate "--synthetic|2000|--ratio|0.1|${tiny}|--rounds|2|--evaluate-full"
              "rows_selected=160" "-DKEYS=test_auc|test_logloss|random_test_auc|random_test_logloss|full_test_auc|full_test_logloss|clean_test_auc|random_clean_test_auc|full_clean_test_auc")

# A file: --out and --emit (the chosen lines under the file's header), read back by nacs-train.
coreset_check(csv_emit "${csv_in}|--ratio|0.1|--mlp|16|--epochs|1|--rounds|2|--passes|2|--quiet|--out|csv_out.csv|--emit|csv_emit.csv"
              "rows=320|rows_selected=32|rows_skipped=0|input=clicks.csv|format=csv"
              -DCSV=csv_out.csv -DEMIT=csv_emit.csv "-DEMIT_HEADER=click,site,app,noise")
set_tests_properties(examples/coreset/csv_emit PROPERTIES FIXTURES_SETUP coreset_csv_emit)
if(EXISTS ${PROJECT_SOURCE_DIR}/examples/train.cpp)  # nacs-train is declared after this file runs
  # The emitted rows, read as a data set: all 32 rows, none skipped.
  add_test(NAME examples/coreset/emit_read_back
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:nacs-train> -DDIR=${coreset_dir}
                   "-DARGS=--data|csv_emit.csv|--format|csv|--label|click|--columns|site,app,noise|--min-count|1|--split|1,0,0|--epochs|1|--policy|seq"
                   "-DSTDOUT=\"rows\":32,.*\"train_rows\":32," "-DSTDERR=csv_emit.csv: 32 rows read, 0 malformed skipped"
                   -P ${coreset_scripts}/run_expect.cmake)
  # The coreset file of the same split, trained on by nacs-train.
  add_test(NAME examples/coreset/train_reads_csv_out
           COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:nacs-train> -DDIR=${coreset_dir}
                   "-DARGS=${csv_in}|--rows-file|csv_out.csv|--epochs|1|--policy|seq"
                   "-DSTDOUT=\"rows\":32,\"epochs\":1," -P ${coreset_scripts}/run_expect.cmake)
  set_tests_properties(examples/coreset/emit_read_back examples/coreset/train_reads_csv_out
                       PROPERTIES FIXTURES_REQUIRED coreset_csv_emit)
endif()

# The real Criteo sample: files given, --emit writes 5 % of the training lines as they are.
if(EXISTS ${coreset_criteo}/train.csv)
  coreset_check(criteo_emit
                "--data|${coreset_criteo}/train.csv|--format|criteo|--valid|${coreset_criteo}/dev.csv|--test|${coreset_criteo}/test.csv|--ratio|0.05|--mlp|32,32|--epochs|1|--rounds|2|--passes|2|--partition-size|1024|--quiet|--emit|criteo_emit.tsv|--out|criteo_out.csv"
                "rows=7200|rows_selected=360|rows_skipped=0" -DCSV=criteo_out.csv -DEMIT=criteo_emit.tsv)
  set_tests_properties(examples/coreset/criteo_emit PROPERTIES FIXTURES_SETUP coreset_criteo_emit)
  # Only --test: a seeded tenth of --data validates, and stderr says so.
  add_test(NAME examples/coreset/test_only_validates
           COMMAND ${CMAKE_COMMAND} -DEXE=${coreset_exe} -DDIR=${coreset_dir}
                   "-DARGS=--data|${coreset_criteo}/train.csv|--format|criteo|--test|${coreset_criteo}/test.csv|--method|random|--mlp|16|--epochs|1"
                   "-DSTDERR=rows: 6480 train, 720 valid, 391 test.*validation: 720 rows of --data drawn with --seed"
                   "-DSTDOUT=\"valid_rows\":720," -P ${coreset_scripts}/run_expect.cmake)
  if(EXISTS ${PROJECT_SOURCE_DIR}/examples/train.cpp)
    # The emitted lines are Criteo lines: all 360 read back, none malformed.
    add_test(NAME examples/coreset/criteo_emit_read_back
             COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:nacs-train> -DDIR=${coreset_dir}
                     "-DARGS=--data|criteo_emit.tsv|--format|criteo|--min-count|1|--split|1,0,0|--epochs|1|--mlp|16|--policy|seq"
                     "-DSTDOUT=\"rows\":360," "-DSTDERR=criteo_emit.tsv: 360 rows read, 0 malformed skipped"
                     -P ${coreset_scripts}/run_expect.cmake)
    set_tests_properties(examples/coreset/criteo_emit_read_back PROPERTIES FIXTURES_REQUIRED coreset_criteo_emit)
  endif()
else()
  message(STATUS "nacs-coreset tests: ${coreset_criteo} not found; skipping the Criteo sample run")
endif()

# Bad command lines (exit 2) and bad data or runs (exit 1): one clear line, nothing on stdout.
coreset_fails(ratio_zero 2 "--synthetic|1000|--ratio|0" "--ratio must be > 0")
coreset_fails(ratio_one 2 "--synthetic|1000|--ratio|1" "--ratio must be < 1")
coreset_fails(ratio_negative 2 "--synthetic|1000|--ratio|-0.5" "--ratio must be > 0")
coreset_fails(candidate_share_zero 2 "--synthetic|1000|--candidate-share|0" "--candidate-share must be > 0")
coreset_fails(round_epochs_negative 2 "--synthetic|1000|--round-epochs|-1" "--round-epochs must be >= 0")
coreset_fails(candidate_share_above_one 2 "--synthetic|1000|--candidate-share|1.5" "--candidate-share must be <= 1")
coreset_fails(candidate_share_too_small 1 "--synthetic|2000|--ratio|0.3|--partition-size|100|--candidate-share|0.01|--preset|paper"
              "raise --candidate-share")
coreset_fails(remove_rate_one 2 "--synthetic|1000|--remove-rate|1" "--remove-rate must be < 1")
coreset_fails(unknown_method 2 "--synthetic|1000|--method|rnadom" "--method must be one of.*random")
coreset_fails(unknown_filter 2 "--synthetic|1000|--filter|dropout" "--filter must be one of")
coreset_fails(no_input 2 "--ratio|0.1" "give one of --data, --synthetic")
coreset_fails(no_format 2 "--data|clicks.csv" "--data needs --format")
coreset_fails(noise_and_flips 2 "--synthetic|1000|--noise|0.1|--flip-positive|0.2" "--noise sets both flip rates")
coreset_fails(noise_with_file 2 "${csv_in}|--noise|0.1" "apply to --synthetic")
coreset_fails(remove_rate_without_filter 2 "--synthetic|1000|--filter|none|--remove-rate|0.2" "--remove-rate applies to")
coreset_fails(evaluate_without_test 2 "--synthetic|1000|--split|0.9,0.1,0|--evaluate" "--evaluate needs test rows")
coreset_fails(more_rounds_than_picks 1 "--synthetic|1000|--ratio|0.005|--filter|none|--rounds|5|${tiny}"
              "5 rounds but only 4 rows to select.*use fewer rounds or a larger ratio")
coreset_fails(ratio_below_one_row 1 "--synthetic|100|--ratio|0.001|${tiny}" "less than one row: use a ratio of at least")
coreset_fails(wrong_format 1 "--data|clicks.csv|--format|criteo" "no rows could be read.*check --format")
coreset_fails(memory_limit 1 "--synthetic|2000|--memory-limit|1" "memory limit is 1.00 MiB.*raise --memory-limit")
coreset_fails(missing_file 1 "--data|no_such_file.tsv|--format|criteo" "cannot open 'no_such_file.tsv'")
coreset_fails(unwritable_out 1 "--synthetic|1000|--out|no-such-dir/c.csv" "cannot open 'no-such-dir/c.csv' for writing .--out.")
# The data flags' checks, the same cases as for the other program that declares them.
include(${PROJECT_SOURCE_DIR}/test/examples/data_flags.cmake)
data_flags_tests(coreset_fails)
