# SPDX-License-Identifier: Apache-2.0
# Test data for nacs-greedy (run once, as a ctest fixture):
#   x.npy / x.f32  300 x 8 seeded uniform float32 rows (written by nacs-greedy itself);
#   f64.npy        a 6 x 2 float64 .npy file;   nan.f32   2 x 2 raw float32 with a NaN;
#   notnpy.txt     a text file;                 trunc.npy a .npy file cut inside its header.
# cmake -DEXE=nacs-greedy -DDIR=<dir> -P greedy_data.cmake
cmake_minimum_required(VERSION 3.21)
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${EXE} --synthetic 300 --dim 8 --seed 0 --k 1 --quiet
                        --write-npy x.npy --write-raw x.f32
                WORKING_DIRECTORY ${DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "writing the test data failed (${rc}): ${err}")
endif()
file(SIZE ${DIR}/x.f32 raw_size)
if(NOT raw_size EQUAL 9600)
  message(FATAL_ERROR "x.f32 has ${raw_size} bytes, expected 300 * 8 * 4 = 9600")
endif()

# CMake strings cannot hold a NUL byte, so these files use only values whose bytes are all
# non-zero: the .npy header length is 0x0101 = 257 and its minor version 1.
function(bytes out)
  string(ASCII ${ARGN} s)
  set(${out} "${s}" PARENT_SCOPE)
endfunction()
bytes(magic 147 78 85 77 80 89 1 1 1 1)  # \x93NUMPY, version 1.1, header length 257
set(dict "{'descr': '<f8', 'fortran_order': False, 'shape': (6, 2), }")
string(LENGTH "${dict}" len)
math(EXPR pad "257 - ${len} - 1")
string(REPEAT " " ${pad} spaces)
set(f64 "${magic}${dict}${spaces}\n")
foreach(i RANGE 1 12)
  # A double with bytes 0x11+i, 0x11 x 5, 0xf1, 0x3f: about 1.07, each value different.
  math(EXPR b0 "17 + ${i}")
  bytes(v ${b0} 17 17 17 17 17 241 63)
  string(APPEND f64 "${v}")
endforeach()
file(WRITE ${DIR}/f64.npy "${f64}")
file(SIZE ${DIR}/f64.npy f64_size)
if(NOT f64_size EQUAL 363)
  message(FATAL_ERROR "f64.npy has ${f64_size} bytes, expected 10 + 257 + 96 = 363")
endif()

bytes(one 1 1 128 63)    # 1.0000001f
bytes(nan 1 1 193 127)   # a quiet NaN
file(WRITE ${DIR}/nan.f32 "${one}${one}${nan}${one}")
file(WRITE ${DIR}/notnpy.txt "these are not embeddings\n")
file(WRITE ${DIR}/trunc.npy "${magic}{'descr': '<f4'")
