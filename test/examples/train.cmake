# SPDX-License-Identifier: Apache-2.0
# Tests of the nacs-train example (included by examples/CMakeLists.txt with
# NACS_EXAMPLE_TARGET = nacs-train). Each runs the program through run_expect.cmake.
set(train_exe $<TARGET_FILE:${NACS_EXAMPLE_TARGET}>)
set(train_dir ${CMAKE_CURRENT_BINARY_DIR}/train-test)
set(train_scripts ${PROJECT_SOURCE_DIR}/test/examples)
set(train_criteo ${PROJECT_SOURCE_DIR}/../shared/data/criteo-sample)

# Small input files, written at configure time.
file(MAKE_DIRECTORY ${train_dir})
file(WRITE ${train_dir}/rows.csv "# every other row of the first 600, weight 2\n")
foreach(i RANGE 0 598 2)
  file(APPEND ${train_dir}/rows.csv "${i},2\n")
endforeach()
file(WRITE ${train_dir}/rows_out_of_range.csv "0\n5\n99999999\n")
file(WRITE ${train_dir}/rows_mixed.csv "0,1.5\n1\n")
file(WRITE ${train_dir}/clicks.csv "click,site,app\n1,a,x\n0,b,y\n1,a,y\n0,b,x\n0,c,x\n1,a,z\n0,b,z\n1,c,y\n0,a,x\n1,b,y\n")

# A run that must succeed, with stdout matching `regex` (the JSON line).
function(train_ok name args regex)
  add_test(NAME examples/train/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_dir} "-DARGS=${args}" "-DSTDOUT=${regex}"
                   -P ${train_scripts}/run_expect.cmake)
endfunction()
# A run that must fail with exit status `rc` and one line on stderr matching `regex`, nothing on stdout.
function(train_fails name rc args regex)
  add_test(NAME examples/train/error/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_dir} "-DARGS=${args}|--quiet" -DRC=${rc}
                   "-DSTDERR=${regex}" -DONE_LINE_STDERR=ON -DEMPTY_STDOUT=ON -P ${train_scripts}/run_expect.cmake)
endfunction()

add_test(NAME examples/train/help
         COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} "-DARGS=--help" -DEMPTY_STDERR=ON
                 "-DSTDOUT=^Usage: nacs-train.*--data FILE.*--format NAME.*--rows-file FILE.*--policy NAME.*Exit status"
                 -P ${train_scripts}/run_expect.cmake)

# The JSON line has the issue's keys, in order, with values of the right kind.
set(num "-?[0-9.e+-]+")
train_ok(synthetic_keys "--synthetic|6000|--fields|6|--vocabulary-size|20|--epochs|2|--batch-size|512|--policy|seq"
         "^\\{\"model\":\"deepfm\",\"rows\":4800,\"epochs\":[12],\"valid_auc\":0\\.[0-9]+,\"test_auc\":0\\.[0-9]+,\"test_logloss\":${num},\"seconds\":${num},\"rows_per_second\":${num},")
foreach(model lr fm dcnv2 finalmlp)
  train_ok(synthetic_${model} "--synthetic|3000|--fields|5|--vocabulary-size|10|--epochs|1|--batch-size|256|--mlp|20,20|--model|${model}|--policy|par"
           "^\\{\"model\":\"${model}\",\"rows\":2400,\"epochs\":1,")
endforeach()
# No validation part: every epoch runs, valid_auc is null.
train_ok(no_valid "--synthetic|2000|--fields|4|--split|0.9,0,0.1|--epochs|3|--batch-size|256|--policy|seq"
         "\"rows\":1800,\"epochs\":3,\"valid_auc\":null,\"test_auc\":0\\.")
train_ok(csv "--data|clicks.csv|--format|csv|--label|click|--columns|site,app|--min-count|1|--split|1,0,0|--epochs|2|--policy|seq"
         "\"model\":\"deepfm\",\"rows\":10,\"epochs\":2,\"valid_auc\":null,\"test_auc\":null,\"test_logloss\":null")
# Progress while reading: one stderr line every 4 lines of the 11-line file (header included).
add_test(NAME examples/train/read_progress
         COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_dir}
                 "-DARGS=--data|clicks.csv|--format|csv|--label|click|--columns|site,app|--min-count|1|--split|1,0,0|--epochs|1|--policy|seq|--progress-lines|4"
                 "-DSTDERR=reading 'clicks.csv': 4 lines .44 %., 3 rows kept, 0 skipped.*reading 'clicks.csv': 8 lines .76 %., 7 rows kept, 0 skipped"
                 -P ${train_scripts}/run_expect.cmake)
train_ok(rows_file "--synthetic|2000|--fields|4|--rows-file|rows.csv|--epochs|1|--policy|seq" "\"rows\":300,\"epochs\":1,")

# Learning on data whose answer is known: the generator's hidden model (stderr: its AUC on the
# noisy labels) bounds what a model can reach; each must get at least halfway from chance to it
# (about 0.61 here; lr reaches ~0.65, fm ~0.67), and not beat it by more than 0.03.
foreach(model lr fm deepfm)
  add_test(NAME examples/train/learns_${model}
           COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_dir}
                   "-DARGS=--synthetic|20000|--fields|6|--vocabulary-size|20|--epochs|5|--batch-size|512|--mlp|32,32|--model|${model}|--policy|seq"
                   "-DORACLE_REGEX=the hidden model's AUC on the noisy labels is ([0-9.]+)" "-DAUC_KEYS=valid_auc|test_auc"
                   -P ${train_scripts}/run_expect.cmake)
endforeach()

# The real Criteo sample: a DeepFM must beat chance clearly (test AUC >= 0.65; about 0.70 here).
if(EXISTS ${train_criteo}/train.csv)
  train_ok(criteo_deepfm
           "--data|${train_criteo}/train.csv|--format|criteo|--valid|${train_criteo}/dev.csv|--test|${train_criteo}/test.csv|--model|deepfm|--policy|seq"
           "\"model\":\"deepfm\",\"rows\":7200,.*\"test_auc\":0\\.(6[5-9]|[7-9])")
else()
  message(STATUS "nacs-train tests: ${train_criteo} not found; skipping the Criteo sample run")
endif()

train_fails(no_format 2 "--data|clicks.csv" "--data needs --format")
train_fails(no_input 2 "--model|fm" "give one of --data, --synthetic")
train_fails(bad_model 2 "--synthetic|100|--model|gbdt" "--model must be one of")
train_fails(bad_mlp 2 "--synthetic|100|--mlp|10,,3" "--mlp expects")
train_fails(bad_split 2 "--synthetic|100|--split|0.5,0.5" "--split expects")
train_fails(csv_without_label 2 "--data|clicks.csv|--format|csv" "needs --label")
train_fails(progress_with_synthetic 2 "--synthetic|100|--progress-lines|10" "drop --format, --valid, --test, --max-rows, --progress-lines, --min-count and --on-error")
train_fails(progress_zero 2 "--data|clicks.csv|--format|csv|--label|click|--columns|site|--progress-lines|0" "--progress-lines")
train_fails(threads_with_seq 2 "--synthetic|100|--policy|seq|--threads|2" "--threads applies to --policy par")
train_fails(missing_file 1 "--data|no_such_file.tsv|--format|criteo" "cannot open")
train_fails(wrong_format 1 "--data|clicks.csv|--format|criteo" "no rows could be read.*check --format")
train_fails(rows_out_of_range 1 "--synthetic|1000|--rows-file|rows_out_of_range.csv" "line 3: row 99999999 is outside the 800 training rows")
train_fails(rows_mixed_weights 1 "--synthetic|1000|--rows-file|rows_mixed.csv" "1 of 2 lines have a weight")
train_fails(missing_rows_file 1 "--synthetic|1000|--rows-file|nope.csv" "cannot open 'nope.csv'")
# The data flags' checks, the same cases as for the other program that declares them.
include(${PROJECT_SOURCE_DIR}/test/examples/data_flags.cmake)
data_flags_tests(train_fails)
