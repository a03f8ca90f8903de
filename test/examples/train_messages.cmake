# SPDX-License-Identifier: Apache-2.0
# nacs-train's messages in the user's terms (issue 9, item 4), its per-file counts in the JSON
# under --quiet and checks where a value is read (item 3), and the chain from nacs-greedy --out
# to --rows-file. Included after train.cmake (same scope: train_exe, train_scripts); failing runs
# go through message_check.cmake, which also refuses library names, raw control bytes and a
# second hint.
set(train_msg_dir ${CMAKE_CURRENT_BINARY_DIR}/train-messages)
file(MAKE_DIRECTORY ${train_msg_dir})
file(WRITE ${train_msg_dir}/empty.txt "")
file(WRITE ${train_msg_dir}/blank.txt "\n\n\n")
file(WRITE ${train_msg_dir}/header.csv "click,site,app\n")
# 12 rows of which 2 are ragged (lines 3 and 5).
file(WRITE ${train_msg_dir}/ragged.csv
     "click,site,app\n1,a,x\n0,b\n1,a,y\n0,b,x,extra\n0,c,x\n1,a,z\n0,b,z\n1,c,y\n0,a,x\n1,b,y\n0,c,z\n1,a,x\n")
# A Criteo line whose label holds an escape sequence, then one of 3 columns.
string(ASCII 27 train_esc)
string(REPEAT "\t" 39 train_tabs)
file(WRITE ${train_msg_dir}/garbage.tsv "${train_esc}[31m${train_tabs}\n1\t2\t3\n")
file(WRITE ${train_msg_dir}/huge_weight.csv "0,1\n1,1e39\n")
file(WRITE ${train_msg_dir}/bad_label.csv "row,weight,label\n0,1,0.5\n1,1,2\n")
file(WRITE ${train_msg_dir}/soft.csv "row,weight,label\n0,1,0.25\n1,2,1\n2,0.5,0\n")

function(train_message name rc args regex)
  add_test(NAME examples/train/message/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_msg_dir} "-DARGS=${args}|--quiet" -DRC=${rc}
                   "-DSTDERR=${regex}" -P ${train_scripts}/message_check.cmake)
endfunction()
set(train_csv "--format|csv|--label|click|--columns|site,app")

train_message(unknown_flag 2 "--synthetic|100|--epoch|2" "^nacs-train: unknown option '--epoch' \\(did you mean --epochs\\?\\)\n$")
train_message(unknown_flag_far 2 "--synthetic|100|--zzzz" "^nacs-train: unknown option '--zzzz' \\(see --help\\)\n$")
# --on-error fail says which flag skips instead (not error_policy::skip).
train_message(on_error_fail 1 "--data|ragged.csv|${train_csv}|--on-error|fail"
              "ragged\\.csv:3: 2 columns, expected 3 .*give --on-error skip to skip and count malformed rows")
# Empty, blank-only and header-only files are called that, not "check --format".
train_message(empty_file 1 "--data|empty.txt|--format|criteo" "'empty\\.txt' \\(--data\\) is empty")
train_message(blank_file 1 "--data|blank.txt|--format|criteo" "'blank\\.txt' \\(--data\\) holds only blank lines")
train_message(header_only 1 "--data|header.csv|${train_csv}" "'header\\.csv' \\(--data\\) holds only a header line and no rows")
train_message(empty_valid 1 "--data|ragged.csv|${train_csv}|--valid|empty.txt" "'empty\\.txt' \\(--valid\\) is empty")
# Every row malformed: the first reasons, with the bytes of the bad label escaped.
train_message(garbage 1 "--data|garbage.tsv|--format|criteo"
              "no rows could be read: garbage\\.tsv: 0 rows read, 2 malformed skipped \\(line 1: label '\\\\x1b\\[31m' is not 0 or 1; line 2: .*check --format")
# Weights and labels of --rows-file are checked at their line, naming the flag and the file.
train_message(rows_file_huge_weight 1 "--synthetic|1000|--rows-file|huge_weight.csv"
              "--rows-file 'huge_weight\\.csv' line 2: '1e39' is not a weight")
train_message(rows_file_bad_label 1 "--synthetic|1000|--rows-file|bad_label.csv"
              "--rows-file 'bad_label\\.csv' line 3: '2' is not a label")
train_message(memory_limit 1 "--synthetic|1000000|--fields|39|--memory-limit|1" "--memory-limit")

# Skipped rows are counted in the JSON, per file and with the first reasons, under --quiet too.
add_test(NAME examples/train/message/json_rows_skipped
         COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_msg_dir}
                 "-DARGS=--data|ragged.csv|${train_csv}|--min-count|1|--split|1,0,0|--epochs|1|--policy|seq|--quiet"
                 -DEMPTY_STDERR=ON
                 "-DSTDOUT=\"rows_skipped\":2,\"files\":\\[\\{\"flag\":\"--data\",\"file\":\"ragged\\.csv\",\"rows_read\":10,\"rows_skipped\":2,\"blank_lines\":0,\"header\":true,\"skipped\":\\[\"line 3: 2 columns, expected 3[^\"]*\",\"line 5: 4 columns, expected 3[^\"]*\"\\]\\}\\]\\}\n$"
                 -P ${train_scripts}/run_expect.cmake)
# A coreset file with labels trains on them: 3 rows listed.
add_test(NAME examples/train/message/rows_file_with_labels
         COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_msg_dir}
                 "-DARGS=--synthetic|1000|--rows-file|soft.csv|--epochs|1|--policy|seq"
                 "-DSTDOUT=\"rows\":3,.*\"flag\":\"--rows-file\",\"file\":\"soft\\.csv\",\"rows_read\":3,"
                 "-DSTDERR=training on 3 rows listed in 'soft\\.csv', with weights, with its labels"
                 -P ${train_scripts}/run_expect.cmake)
# What nacs-greedy --out writes, nacs-train --rows-file reads (20 picks of the first 300 rows).
if(TARGET nacs-greedy)
  add_test(NAME examples/train/message/chain_greedy_out
           COMMAND ${CMAKE_COMMAND} -DFIRST=$<TARGET_FILE:nacs-greedy>
                   "-DFIRST_ARGS=--synthetic|300|--dim|4|--k|20|--quiet|--out|greedy_picks.csv"
                   -DSECOND=${train_exe} "-DSECOND_ARGS=--synthetic|1000|--rows-file|greedy_picks.csv|--epochs|1|--quiet"
                   -DDIR=${train_msg_dir} "-DSTDOUT=^\\{\"model\":\"deepfm\",\"rows\":20,"
                   -P ${train_scripts}/chain_check.cmake)
endif()
# ... and what nacs-coreset --out writes (row,weight,label): 80 rows of the same 1600-row training part.
if(TARGET nacs-coreset)
  add_test(NAME examples/train/message/chain_coreset_out
           COMMAND ${CMAKE_COMMAND} -DFIRST=$<TARGET_FILE:nacs-coreset>
                   "-DFIRST_ARGS=--synthetic|2000|--ratio|0.05|--fields|4|--vocabulary-size|10|--mlp|16,16|--epochs|1|--partition-size|256|--passes|2|--rounds|2|--policy|seq|--quiet|--out|coreset_out.csv"
                   -DSECOND=${train_exe}
                   "-DSECOND_ARGS=--synthetic|2000|--fields|4|--vocabulary-size|10|--rows-file|coreset_out.csv|--epochs|1|--policy|seq|--quiet"
                   -DDIR=${train_msg_dir} "-DSTDOUT=^\\{\"model\":\"deepfm\",\"rows\":80,"
                   -P ${train_scripts}/chain_check.cmake)
endif()

# Without --batch-size, the batch follows the rows of an epoch (nacs::default_batch_size: the power
# of two nearest rows / 64, within [64, 8192]); --batch-size still sets it.
function(train_json name args regex)
  add_test(NAME examples/train/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_msg_dir} "-DARGS=${args}" "-DSTDOUT=${regex}"
                   -P ${train_scripts}/run_expect.cmake)
endfunction()
train_json(default_batch_small "--synthetic|2000|--fields|4|--epochs|1|--policy|seq|--quiet" "\"batch_size\":64,")
train_json(default_batch_large "--synthetic|100000|--fields|4|--vocabulary-size|50|--epochs|1|--mlp|16|--policy|seq|--quiet"
           "\"rows\":80000,.*\"batch_size\":1024,")
train_json(default_batch_rows_file "--synthetic|2000|--fields|4|--rows-file|soft.csv|--epochs|1|--policy|seq|--quiet"
           "\"rows\":3,.*\"batch_size\":64,")
train_json(given_batch "--synthetic|2000|--fields|4|--epochs|1|--batch-size|8192|--policy|seq|--quiet" "\"batch_size\":8192,")

# Progress and report lines on stderr escape the bytes of a file name as well.
file(COPY_FILE ${train_msg_dir}/ragged.csv "${train_msg_dir}/e${train_esc}.csv")
add_test(NAME examples/train/message/escaped_progress
         COMMAND ${CMAKE_COMMAND} -DEXE=${train_exe} -DDIR=${train_msg_dir}
                 "-DARGS=--data|e${train_esc}.csv|${train_csv}|--min-count|1|--split|1,0,0|--epochs|1|--policy|seq|--progress-lines|4"
                 "-DSTDERR=reading 'e\\\\x1b\\.csv': 4 lines.*e\\\\x1b\\.csv: 10 rows read, 2 malformed skipped"
                 -P ${train_scripts}/run_expect.cmake)
