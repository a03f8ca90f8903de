# SPDX-License-Identifier: Apache-2.0
# The data flags' checks (examples/common/data_flags.hpp), run against every program that
# declares them: coreset.cmake and train.cmake include this file and call
#   data_flags_tests(<their _fails function>)
# Each case must fail with exit status 2 and one line on stderr matching the regex; none
# reads a file (the checks come before any reading). A case is "name|arg|...|arg|regex";
# it holds no semicolon, which would cut the list (a regex says '.' for a message's).
# The messages are the same in both programs, except where their generators differ (the
# --fields line of nacs-coreset also names --noise: the regex matches the part they share).
function(data_flags_tests fails)
  set(drop "--synthetic generates its own data: drop --format, --valid, --test, --max-rows, --progress-lines, --min-count and --on-error")
  set(split "--split expects three non-negative shares T,V,E with T > 0, like 0\\.8,0\\.1,0\\.1. got '")
  set(csv_only "--label, --columns and --delimiter apply to --format csv")
  set(csv "--data|x.csv|--format|csv|--label|click|--columns|site")
  set(calls
      "both_data_and_synthetic|--data|x|--synthetic|100|give only one of --data, --synthetic \\(got --data and --synthetic\\)"
      "format_typo|--data|x|--format|critieo|--format must be one of criteo, avazu, libsvm, libffm, csv. got 'critieo' \\(did you mean criteo\\?\\)"
      "synthetic_too_small|--synthetic|9|--synthetic must be >= 10, got 9"
      "synthetic_with_format|--synthetic|100|--format|criteo|${drop}"
      "synthetic_with_valid|--synthetic|100|--valid|v|${drop}"
      "synthetic_with_test|--synthetic|100|--test|t|${drop}"
      "synthetic_with_max_rows|--synthetic|100|--max-rows|5|${drop}"
      "synthetic_with_min_count|--synthetic|100|--min-count|3|${drop}"
      "synthetic_with_on_error|--synthetic|100|--on-error|fail|${drop}"
      "fields_with_file|--data|x|--format|criteo|--fields|5|--fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic"
      "flip_with_file|--data|x|--format|criteo|--flip-negative|0.1|--fields, --vocabulary-size, --flip-positive and --flip-negative apply to --synthetic"
      "csv_without_columns|--data|x.csv|--format|csv|--label|click|--format csv needs --label COL and --columns A,B,\\.\\.\\."
      "columns_without_csv|--data|x|--format|criteo|--columns|a|${csv_only}"
      "label_without_csv|--data|x|--format|avazu|--label|click|${csv_only}"
      "delimiter_with_synthetic|--synthetic|100|--delimiter|:|${csv_only}"
      "delimiter_two_characters|${csv}|--delimiter|ab|--delimiter expects one character \\(or 'tab'\\), got 'ab'"
      "split_two_shares|--synthetic|100|--split|0.5,0.5|${split}0\\.5,0\\.5'"
      "split_no_train|--synthetic|100|--split|0,0.5,0.5|${split}0,0\\.5,0\\.5'"
      "split_negative|--synthetic|100|--split|0.8,0.1,-1|${split}0\\.8,0\\.1,-1'"
      "split_not_a_number|--synthetic|100|--split|a,b,c|${split}a,b,c'"
      "split_with_valid|--data|x|--format|criteo|--valid|v|--split|0.8,0.1,0.1|--split applies when neither --valid nor --test is given"
      "split_with_test|--data|x|--format|criteo|--test|t|--split|0.8,0.1,0.1|--split applies when neither --valid nor --test is given"
      "max_rows_zero|--data|x|--format|criteo|--max-rows|0|--max-rows must be >= 1, got 0"
      "min_count_negative|--data|x|--format|criteo|--min-count|-1|--min-count expects a whole number >= 0, got '-1'"
      "on_error_typo|--data|x|--format|criteo|--on-error|skp|--on-error must be one of skip, fail. got 'skp' \\(did you mean skip\\?\\)"
      "unknown_near_delimiter|--synthetic|100|--delimter|:|unknown option '--delimter' \\(did you mean --delimiter\\?\\)"
      "unknown_near_columns|--synthetic|100|--colums|a|unknown option '--colums' \\(did you mean --columns\\?\\)")
  foreach(call IN LISTS calls)
    string(REPLACE "|" ";" parts "${call}")
    list(POP_FRONT parts name)
    list(POP_BACK parts regex)
    list(JOIN parts "|" args)
    cmake_language(CALL ${fails} data_flags/${name} 2 "${args}" "${regex}")
  endforeach()
endfunction()
