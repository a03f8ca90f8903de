# SPDX-License-Identifier: Apache-2.0
# Tests of the nacs-greedy example (included by examples/CMakeLists.txt with
# NACS_EXAMPLE_TARGET = nacs-greedy). Test data is written once by the fixture
# examples/greedy/data into ${greedy_dir}; see the scripts next to this file.
set(greedy_exe $<TARGET_FILE:${NACS_EXAMPLE_TARGET}>)
set(greedy_dir ${CMAKE_CURRENT_BINARY_DIR}/greedy-test)
set(greedy_scripts ${PROJECT_SOURCE_DIR}/test/examples)

add_test(NAME examples/greedy/data
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} -P ${greedy_scripts}/greedy_data.cmake)
set_tests_properties(examples/greedy/data PROPERTIES FIXTURES_SETUP greedy_data)

# A run that must succeed: the JSON values in `expect` ("key=value|...") and, with --out, the CSV.
function(greedy_check name args expect)
  add_test(NAME examples/greedy/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} "-DARGS=${args}" "-DEXPECT=${expect}"
                   ${ARGN} -P ${greedy_scripts}/greedy_check.cmake)
  set_tests_properties(examples/greedy/${name} PROPERTIES FIXTURES_REQUIRED greedy_data)
endfunction()

# Runs that must agree (objective, n, d, k and, with PICKS, the picks and weights).
function(greedy_same name)
  set(defs)
  set(i 1)
  foreach(run IN LISTS ARGN)
    if(run STREQUAL "PICKS")
      list(APPEND defs -DPICKS=ON)
    else()
      list(APPEND defs "-DRUN${i}=${run}")
      math(EXPR i "${i} + 1")
    endif()
  endforeach()
  add_test(NAME examples/greedy/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} -DNAME=${name} ${defs}
                   -P ${greedy_scripts}/greedy_same.cmake)
  set_tests_properties(examples/greedy/${name} PROPERTIES FIXTURES_REQUIRED greedy_data)
endfunction()

# A run that must fail with exit status `rc` and one line on stderr matching `regex`, nothing on stdout.
function(greedy_fails name rc args regex)
  add_test(NAME examples/greedy/error/${name}
           COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} "-DARGS=${args}|--quiet" -DRC=${rc}
                   "-DSTDERR=${regex}" -DONE_LINE_STDERR=ON -DEMPTY_STDOUT=ON -P ${greedy_scripts}/run_expect.cmake)
  set_tests_properties(examples/greedy/error/${name} PROPERTIES FIXTURES_REQUIRED greedy_data)
endfunction()

# ------------------------------------------------------------------ help
add_test(NAME examples/greedy/help
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} "-DARGS=--help" -DEMPTY_STDERR=ON
                 "-DSTDOUT=^Usage: nacs-greedy \\[FILE\\] \\[options\\].*--solver NAME.*--similarity NAME.*Exit status"
                 -P ${greedy_scripts}/run_expect.cmake)
# --help wins over everything else on the line, even mistakes.
add_test(NAME examples/greedy/help_with_other_flags
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} "-DARGS=--k|-3|--bogus|-h" "-DSTDOUT=^Usage: nacs-greedy"
                 -P ${greedy_scripts}/run_expect.cmake)

# ------------------------------------------------------- successful runs
greedy_check(npy "x.npy|--k|12|--solver|lazy|--similarity|exp-distance|--policy|seq|--out|npy.csv"
             "n=300|d=8|k=12|solver=lazy|policy=seq|similarity=exp-distance|threads=1|partitions=1|input=x.npy|partition_size=null|epsilon=null"
             -DCSV=npy.csv -DWEIGHT_SUM=300)
greedy_check(npy_defaults "x.npy|--k|5|--out|defaults.csv"
             "n=300|d=8|k=5|solver=stochastic|policy=par|similarity=neg-distance|epsilon=0.001|seed=0"
             -DCSV=defaults.csv -DWEIGHT_SUM=300)
greedy_check(raw "x.f32|--dim|8|--k|7|--solver|naive|--out|raw.csv" "n=300|d=8|k=7|solver=naive"
             -DCSV=raw.csv -DWEIGHT_SUM=300)
greedy_check(float64_npy "f64.npy|--k|3|--solver|naive|--similarity|cosine|--out|f64.csv" "n=6|d=2|k=3"
             -DCSV=f64.csv -DWEIGHT_SUM=6)
greedy_check(ratio "x.npy|--ratio|0.05|--out|ratio.csv" "n=300|k=15" -DCSV=ratio.csv -DWEIGHT_SUM=300)
# 0.29 * 300 is 86.99999999999999 in double: still 87 picks.
greedy_check(ratio_rounding "x.npy|--ratio|0.29|--solver|lazier|--epsilon|0.01" "k=87|epsilon=0.01")
# A ratio too small for one pick still picks one row.
greedy_check(ratio_tiny "x.npy|--ratio|0.0001" "k=1")
greedy_check(ratio_one "x.npy|--ratio|1|--solver|lazy|--out|all.csv" "k=300" -DCSV=all.csv -DWEIGHT_SUM=300)
greedy_check(k_zero "x.npy|--k|0|--out|zero.csv" "k=0|objective=0" -DCSV=zero.csv)
greedy_check(partitions "x.npy|--k|20|--partition-size|64|--solver|lazy|--threads|2|--out|parts.csv"
             "k=20|partitions=5|partition_size=64|threads=2|unrepresented_rows=0" -DCSV=parts.csv -DWEIGHT_SUM=300)
# Fewer picks than partitions: 5 partitions of 60 rows, k = 2; partitions 0 and 1 get the picks
# (equal remainders go to the lower index), the other 180 rows are said to be unrepresented.
greedy_check(partitions_without_picks "x.npy|--k|2|--partition-size|64|--solver|lazy|--out|few.csv"
             "k=2|partitions=5|unrepresented_rows=180" -DCSV=few.csv -DWEIGHT_SUM=120)
add_test(NAME examples/greedy/partitions_without_picks_note
         COMMAND ${CMAKE_COMMAND} -DEXE=${greedy_exe} -DDIR=${greedy_dir} "-DARGS=x.npy|--k|2|--partition-size|64|--quiet"
                 "-DSTDERR=^nacs-greedy: note: 180 of 300 rows lie in partitions that got no pick.*--partition-size of at least 150"
                 -DONE_LINE_STDERR=ON -P ${greedy_scripts}/run_expect.cmake)
set_tests_properties(examples/greedy/partitions_without_picks_note PROPERTIES FIXTURES_REQUIRED greedy_data)
greedy_check(synthetic "--synthetic|500|--dim|4|--ratio|0.01|--seed|9|--similarity|rbf|--gamma|0.5"
             "n=500|d=4|k=5|input=synthetic|gamma=0.5|seed=9")
greedy_check(synthetic_default_dim "--synthetic|50|--k|2" "n=50|d=100|k=2")

# ------------------------- the picks and F(S) printed are the reference's (nacs_ref)
# greedy_reference replays the run with nacs_ref's plain greedy on the same float kernel.
if(NOT TARGET greedy_reference)
  add_executable(greedy_reference ${PROJECT_SOURCE_DIR}/test/examples/greedy_reference.cpp)
  target_link_libraries(greedy_reference PRIVATE nacs nacs_reference nacs_dev_flags)
endif()
function(greedy_reference name solver sim k)
  set(extra "")
  set(ref_extra "")
  if(ARGC GREATER 4)
    set(extra "|--epsilon|${ARGV4}|--seed|${ARGV5}")
    set(ref_extra "|${ARGV4}|${ARGV5}")
  endif()
  greedy_check(reference_${name} "x.npy|--k|${k}|--solver|${solver}|--similarity|${sim}${extra}|--out|ref_${name}.csv"
               "n=300|k=${k}|solver=${solver}|similarity=${sim}|partitions=1" -DCSV=ref_${name}.csv -DWEIGHT_SUM=300
               -DREFERENCE=$<TARGET_FILE:greedy_reference>
               "-DREFERENCE_ARGS=x.npy|ref_${name}.csv|${solver}|${sim}|${k}${ref_extra}")
endfunction()
greedy_reference(naive_neg_distance naive neg-distance 15)
greedy_reference(lazy_exp_distance lazy exp-distance 20)
greedy_reference(naive_cosine naive cosine 10)
greedy_reference(stochastic_rbf stochastic rbf 12 0.05 3)
greedy_reference(lazier_neg_distance lazier neg-distance 25 0.01 7)

# ------------------------------- the objective printed is the library's F(S)
# Lazy greedy picks exactly what naive greedy picks, so they print the same F(S), for every similarity.
foreach(sim neg-distance exp-distance cosine rbf)
  greedy_same(naive_equals_lazy_${sim} "x.npy|--k|25|--solver|naive|--similarity|${sim}"
              "x.npy|--k|25|--solver|lazy|--similarity|${sim}" PICKS)
endforeach()
greedy_same(naive_equals_lazy_partitioned "x.npy|--k|30|--solver|naive|--partition-size|100"
            "x.npy|--k|30|--solver|lazy|--partition-size|100" PICKS)
# Lazier-than-lazy picks what stochastic greedy picks with the same epsilon and seed.
greedy_same(stochastic_equals_lazier "x.npy|--k|25|--solver|stochastic|--epsilon|0.05|--seed|3"
            "x.npy|--k|25|--solver|lazier|--epsilon|0.05|--seed|3" PICKS)
# The same result on seq and on par with 1, 2 and 3 threads.
greedy_same(seq_equals_par "x.npy|--k|25|--policy|seq|--seed|5|--partition-size|80"
            "x.npy|--k|25|--policy|par|--threads|1|--seed|5|--partition-size|80"
            "x.npy|--k|25|--policy|par|--threads|2|--seed|5|--partition-size|80"
            "x.npy|--k|25|--policy|par|--threads|3|--seed|5|--partition-size|80" PICKS)
# The .npy file, the raw file and --synthetic with the same seed hold the same rows.
greedy_same(file_formats_agree "x.npy|--k|10|--solver|lazy" "x.f32|--dim|8|--k|10|--solver|lazy"
            "--synthetic|300|--dim|8|--seed|0|--k|10|--solver|lazy" PICKS)

# ----------------------------------------------------------- bad input
greedy_fails(missing_file 1 "missing.npy|--k|3" "cannot open 'missing.npy'")
greedy_fails(not_npy 1 "notnpy.txt|--k|3" "'notnpy.txt' is not a \\.npy file.*give --dim")
greedy_fails(truncated_npy 1 "trunc.npy|--k|3" "trunc\\.npy.*(truncated|corrupt)")
greedy_fails(raw_wrong_dim 1 "x.f32|--dim|7|--k|3" "9600 bytes, not a whole number of rows of 7 float32 values.*check --dim")
greedy_fails(npy_wrong_dim 1 "x.npy|--dim|5|--k|3" "--dim 5 but 'x.npy' is a \\.npy file with 8 values per row")
greedy_fails(nan_in_data 1 "nan.f32|--dim|2|--k|1" "NaN value at row 1, column 0")
greedy_fails(unknown_solver 2 "x.npy|--k|3|--solver|fast" "--solver must be one of naive, lazy, stochastic, lazier; got 'fast'")
greedy_fails(unknown_similarity 2 "x.npy|--k|3|--similarity|l2" "--similarity must be one of neg-distance, exp-distance, cosine, rbf")
greedy_fails(unknown_policy 2 "x.npy|--k|3|--policy|cuda" "--policy must be one of seq, par; got 'cuda'")
greedy_fails(k_above_n 1 "x.npy|--k|301" "--k 301 is more than the 300 rows")
greedy_fails(k_and_ratio 2 "x.npy|--k|3|--ratio|0.1" "give only one of --k, --ratio")
greedy_fails(no_k 2 "x.npy" "give one of --k, --ratio")
greedy_fails(no_input 2 "--k|3" "give one of FILE, --synthetic")
greedy_fails(file_and_synthetic 2 "x.npy|--synthetic|10|--k|3" "give only one of FILE, --synthetic")
greedy_fails(missing_value 2 "x.npy|--k" "--k needs a value")
greedy_fails(missing_value_before_flag 2 "x.npy|--solver|--k|3" "--solver needs a value")
greedy_fails(negative_k 2 "x.npy|--k|-5" "--k must be >= 0, got -5")
greedy_fails(negative_ratio 2 "x.npy|--ratio|-0.5" "--ratio must be > 0, got -0.5")
greedy_fails(ratio_above_one 2 "x.npy|--ratio|1.5" "--ratio must be <= 1, got 1.5")
greedy_fails(negative_seed 2 "x.npy|--k|3|--seed|-1" "--seed expects a whole number >= 0, got '-1'")
greedy_fails(negative_dim 2 "x.f32|--dim|-8|--k|3" "--dim must be >= 1, got -8")
greedy_fails(negative_partition_size 2 "x.npy|--k|3|--partition-size|-64" "--partition-size must be >= 1, got -64")
greedy_fails(negative_threads 2 "x.npy|--k|3|--threads|-2" "--threads must be >= 1, got -2")
greedy_fails(negative_synthetic 2 "--synthetic|-10|--k|3" "--synthetic must be >= 1, got -10")
greedy_fails(epsilon_out_of_range 2 "x.npy|--k|3|--epsilon|1" "--epsilon must be < 1, got 1")
greedy_fails(negative_gamma 2 "x.npy|--k|3|--similarity|rbf|--gamma|-1" "--gamma must be > 0, got -1")
greedy_fails(not_a_number 2 "x.npy|--k|ten" "--k expects a whole number, got 'ten'")
greedy_fails(not_finite 2 "x.npy|--ratio|nan" "--ratio expects a finite number, got 'nan'")
greedy_fails(too_large 2 "x.npy|--k|99999999999999999999" "--k expects a whole number in range")
greedy_fails(unknown_flag 2 "x.npy|--k|3|--solvr|lazy" "unknown option '--solvr' \\(did you mean --solver\\?\\)")
greedy_fails(given_twice 2 "x.npy|--k|3|--k|4" "--k is given twice")
greedy_fails(extra_argument 2 "x.npy|y.npy|--k|3" "unexpected argument 'y.npy'")
greedy_fails(switch_with_value 2 "x.npy|--k|3|--quiet=yes" "--quiet is a switch and takes no value")
greedy_fails(epsilon_with_exact_solver 2 "x.npy|--k|3|--solver|naive|--epsilon|0.1" "--epsilon applies to --solver stochastic or lazier")
greedy_fails(gamma_with_cosine 2 "x.npy|--k|3|--similarity|cosine|--gamma|2" "--gamma applies to --similarity exp-distance or rbf")
greedy_fails(threads_with_seq 2 "x.npy|--k|3|--policy|seq|--threads|2" "--threads applies to --policy par")
greedy_fails(memory_limit 1 "--synthetic|3000|--dim|4|--k|3|--memory-limit|1" "needs .* but the memory limit is 1\\.00 MiB.*--memory-limit")
greedy_fails(unwritable_out 1 "x.npy|--k|3|--out|no-such-dir/picks.csv" "cannot open 'no-such-dir/picks.csv' for writing")

# ------------------------------- the shared helpers in examples/common/
# (a doctest program; guarded so that another example's tests may declare it too)
if(NOT TARGET test_examples_common)
  add_executable(test_examples_common ${PROJECT_SOURCE_DIR}/test/examples/common.cpp)
  target_link_libraries(test_examples_common PRIVATE nacs_test_main)
  target_include_directories(test_examples_common PRIVATE ${PROJECT_SOURCE_DIR}/examples)
  add_test(NAME examples/common COMMAND test_examples_common)
endif()
