// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_libsvm and read_libffm on arbitrary bytes, with the field count free or fixed.
#include <nacs/data/libsvm.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::optional<std::size_t> fields : {std::optional<std::size_t>{}, std::optional<std::size_t>{2}}) {
    nacs::libsvm_options o;
    o.num_fields = fields;
    nacs_fuzz::check_policies(
        o,
        [&](const nacs::libsvm_options& opt) {
          std::istringstream in(text);
          return nacs::read_libsvm(in, opt, "fuzz.svm");
        },
        /*exact_lines=*/true);
    nacs_fuzz::check_policies(
        o,
        [&](const nacs::libffm_options& opt) {
          std::istringstream in(text);
          return nacs::read_libffm(in, opt, "fuzz.ffm");
        },
        /*exact_lines=*/true);
    if (fields) {
      std::istringstream in(text);
      const auto r = nacs::read_libffm(in, o, "fuzz.ffm");
      NACS_FUZZ_CHECK(r.data.num_fields() == *fields, r.report.summary());
    }
  }
  return 0;
}
