// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_avazu on arbitrary bytes, header detected, forced on and forced off.
#include <nacs/data/avazu.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // A double quote lets a record span lines, so then lines >= the rows, skips, blanks and header.
  const bool exact = text.find('"') == std::string::npos;
  for (const std::optional<bool> header : {std::optional<bool>{}, std::optional<bool>{true}, std::optional<bool>{false}}) {
    nacs::avazu_options o;
    o.header = header;
    nacs_fuzz::check_policies(
        o,
        [&](const nacs::avazu_options& opt) {
          std::istringstream in(text);
          return nacs::read_avazu(in, opt, "fuzz.csv");
        },
        exact);
  }
  return 0;
}
