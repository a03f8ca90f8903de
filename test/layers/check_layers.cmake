# SPDX-License-Identifier: Apache-2.0
# cmake -DNACS_INCLUDE_DIR=<repo>/include -P check_layers.cmake
#
# The include arrows of docs/design.md, checked on the headers' #include lines:
#   core/ (and detail/core/) includes nothing of nacs outside core but execution.hpp (the policy
#   values, themselves built on core only);
#   io/, similarity, objective/ and solver/ (and their detail/ folders) include no data/ header,
#   except objective/set_cover.hpp, whose constructor takes a dataset. A plain index type such as
#   row_index lives in core/types.hpp, so needing one is no reason to include the data layer.
cmake_minimum_required(VERSION 3.20)
if(NOT NACS_INCLUDE_DIR)
  message(FATAL_ERROR "pass -DNACS_INCLUDE_DIR=<repo>/include")
endif()
set(root ${NACS_INCLUDE_DIR}/nacs)
set(failures "")

# lines_matching(<out> <file> <regex>): the #include lines of <file> that match <regex>.
function(lines_matching out file regex)
  file(STRINGS ${file} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]${regex}")
  set(${out} "${hits}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE core_headers ${root}/core/*.hpp ${root}/detail/core/*.hpp)
foreach(h IN LISTS core_headers)
  file(STRINGS ${h} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]nacs/")
  foreach(line IN LISTS hits)
    if(NOT line MATCHES "nacs/(core/|detail/core/|execution\\.hpp)")
      list(APPEND failures "${h}: ${line} (core includes only core)")
    endif()
  endforeach()
endforeach()

file(GLOB_RECURSE lower_headers
     ${root}/io/*.hpp ${root}/detail/io/*.hpp ${root}/similarity.hpp ${root}/detail/similarity/*.hpp
     ${root}/objective/*.hpp ${root}/detail/objective/*.hpp ${root}/solver/*.hpp ${root}/detail/solver/*.hpp)
set(allowed ${root}/objective/set_cover.hpp)
foreach(h IN LISTS lower_headers)
  if(h IN_LIST allowed)
    continue()
  endif()
  lines_matching(hits ${h} "nacs/(data|detail/data)/")
  foreach(line IN LISTS hits)
    list(APPEND failures "${h}: ${line} (use nacs/core/types.hpp for row_index)")
  endforeach()
endforeach()

list(LENGTH core_headers n_core)
list(LENGTH lower_headers n_lower)
if(n_core LESS 5 OR n_lower LESS 20)
  message(FATAL_ERROR "found only ${n_core} core and ${n_lower} lower-layer headers under ${root}: wrong NACS_INCLUDE_DIR?")
endif()
if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "include arrows broken:\n  ${text}")
endif()
message(STATUS "include arrows hold: ${n_core} core headers, ${n_lower} io/similarity/objective/solver headers")
