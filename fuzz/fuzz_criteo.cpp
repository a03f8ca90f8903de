// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_criteo on arbitrary bytes (see fuzz/check.hpp for the properties).
#include <nacs/data/criteo.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const auto rule : {nacs::criteo_integer_rule::log_squared, nacs::criteo_integer_rule::log_squared_minus_two}) {
    nacs::criteo_options o;
    o.integers = rule;
    nacs_fuzz::check_policies(
        o,
        [&](const nacs::criteo_options& opt) {
          std::istringstream in(text);
          return nacs::read_criteo(in, opt, "fuzz.tsv");
        },
        /*exact_lines=*/true);
  }
  // Every row has the 39 Criteo fields.
  std::istringstream in(text);
  const auto r = nacs::read_criteo(in);
  NACS_FUZZ_CHECK(r.data.num_fields() == 39, r.report.summary());
  return 0;
}
