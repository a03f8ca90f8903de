// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_csv on arbitrary bytes. The first byte picks the options (delimiter,
// hashed or integer values, soft labels, a weight column); the rest is the file, whose header
// should name the columns y (label), a and b (fields) and w (weight).
#include <nacs/data/csv.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t knobs = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  nacs::csv_options o{.label_column = "y", .categorical_columns = {"a", "b"}};
  constexpr char delimiters[] = {',', ';', '\t', '|'};
  o.delimiter = delimiters[knobs & 3];
  o.values = (knobs & 4) ? nacs::csv_values::integer : nacs::csv_values::hash;
  o.soft_labels = (knobs & 8) != 0;
  if (knobs & 16) o.weight_column = "w";
  const bool exact = text.find('"') == std::string::npos;
  nacs_fuzz::check_policies(
      o,
      [&](const nacs::csv_options& opt) {
        std::istringstream in(text);
        return nacs::read_csv(in, opt, "fuzz.csv");
      },
      exact);
  // A successful read has the two fields, and weights exactly when a weight column was asked for.
  try {
    std::istringstream in(text);
    const auto r = nacs::read_csv(in, o, "fuzz.csv");
    NACS_FUZZ_CHECK(r.data.num_fields() == 2, r.report.summary());
    NACS_FUZZ_CHECK(r.data.weights.size() == (o.weight_column ? r.data.labels.size() : 0), r.report.summary());
  } catch (const nacs::error&) {
  }
  return 0;
}
