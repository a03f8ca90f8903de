# SPDX-License-Identifier: Apache-2.0
# nacs-greedy's messages in the user's terms (issue 9, item 4) and its per-file counts in the
# JSON (item 3). Included by greedy.cmake, whose greedy_exe, greedy_dir and greedy_data fixture
# it uses; every failing run goes through message_check.cmake, which also refuses library names,
# raw control bytes and a second hint on any of these lines.
set(greedy_msg_dir ${CMAKE_CURRENT_BINARY_DIR}/greedy-messages)
file(MAKE_DIRECTORY ${greedy_msg_dir}/a-directory)
file(WRITE ${greedy_msg_dir}/empty.npy "")
string(ASCII 27 greedy_esc)

# A run that must fail with exit status `rc` and the one stderr line matching `regex`.
function(greedy_message name rc dir args regex)
  add_test(NAME examples/greedy/message/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${dir} "-DARGS=${args}|--quiet" -DRC=${rc}
                   "-DSTDERR=${regex}" -P ${greedy_scripts}/message_check.cmake)
  if(dir STREQUAL "${greedy_dir}")
    set_tests_properties(examples/greedy/message/${name} PROPERTIES FIXTURES_REQUIRED greedy_data)
  endif()
endfunction()

# An unknown flag is said once, with one hint: a close flag, else --help.
greedy_message(unknown_flag 2 ${greedy_msg_dir} "--synthetic|10|--k|1|--zzz"
               "^nacs-greedy: unknown option '--zzz' \\(see --help\\)\n$")
greedy_message(unknown_flag_close 2 ${greedy_msg_dir} "--synthetic|10|--k|1|--solvr|lazy"
               "^nacs-greedy: unknown option '--solvr' \\(did you mean --solver\\?\\)\n$")
greedy_message(unknown_choice_close 2 ${greedy_msg_dir} "--synthetic|10|--k|1|--solver|lazzy"
               "^nacs-greedy: --solver must be one of naive, lazy, stochastic, lazier; got 'lazzy' \\(did you mean lazy\\?\\)\n$")
# The memory limit names the program's flags, not nacs::set_memory_limit.
greedy_message(memory_limit_flags 1 ${greedy_msg_dir} "--synthetic|3000|--dim|4|--k|3|--memory-limit|1"
               "memory limit is 1\\.00 MiB: lower --partition-size or raise --memory-limit \\[memory_limit\\]\n$")
# Bytes a terminal would obey are shown as \xNN, in file names and in values.
greedy_message(escaped_file_name 1 ${greedy_msg_dir} "missing${greedy_esc}.npy|--k|3"
               "cannot open 'missing\\\\x1b\\.npy'")
greedy_message(escaped_value 2 ${greedy_msg_dir} "--synthetic|10|--k|1${greedy_esc}"
               "--k expects a whole number, got '1\\\\x1b'")
# An empty file and a directory are called that.
greedy_message(empty_file 1 ${greedy_msg_dir} "empty.npy|--k|1" "FILE 'empty\\.npy' is empty \\(0 bytes\\)")
greedy_message(empty_raw_file 1 ${greedy_msg_dir} "empty.npy|--dim|4|--k|1" "FILE 'empty\\.npy' is empty \\(0 bytes\\)")
greedy_message(directory 1 ${greedy_msg_dir} "a-directory|--k|1" "FILE 'a-directory' is a directory")

# The JSON line counts the rows of each file read, --quiet included; --synthetic reads none.
add_test(NAME examples/greedy/message/json_files
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} "-DARGS=x.npy|--k|3|--quiet" -DEMPTY_STDERR=ON
                 "-DSTDOUT=\"rows_skipped\":0,\"files\":\\[\\{\"flag\":\"FILE\",\"file\":\"x\\.npy\",\"rows_read\":300,\"rows_skipped\":0,\"skipped\":\\[\\]\\}\\]\\}\n$"
                 -P ${greedy_scripts}/run_expect.cmake)
set_tests_properties(examples/greedy/message/json_files PROPERTIES FIXTURES_REQUIRED greedy_data)
add_test(NAME examples/greedy/message/json_files_synthetic
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} "-DARGS=--synthetic|10|--k|1|--quiet"
                 "-DSTDOUT=\"rows_skipped\":0,\"files\":\\[\\]\\}\n$" -P ${greedy_scripts}/run_expect.cmake)
