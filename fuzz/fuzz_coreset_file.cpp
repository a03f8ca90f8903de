// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: read_coreset_file on arbitrary bytes. A file is read whole or refused
// with a nacs::error (there is no skip policy); what is read must pass the documented checks,
// the row bound must cut exactly at the largest index, and writing what was read and reading
// it back must give the same rows, weights and labels, bit for bit.
#include <nacs/io/coreset_file.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "check.hpp"

namespace {

struct outcome {
  bool threw = false;
  nacs::errc code{};
  std::string message;
  nacs::coreset_file file;
};

outcome read(const std::string& text, std::optional<nacs::row_index> n) {
  outcome o;
  std::istringstream in(text);
  try {
    o.file = nacs::read_coreset_file(in, "fuzz.csv", n);
  } catch (const nacs::error& e) {
    o.threw = true;
    o.code = e.code();
    o.message = e.message();
  } catch (const std::exception& e) {
    nacs_fuzz::fail(__FILE__, __LINE__, "only nacs::error escapes read_coreset_file", e.what());
  }
  return o;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const outcome o = read(text, std::nullopt);
  if (o.threw) {
    NACS_FUZZ_CHECK(nacs_fuzz::printable(o.message), o.message);
    NACS_FUZZ_CHECK(o.code == nacs::errc::parse || o.code == nacs::errc::invalid_data, o.message);
    return 0;
  }
  const auto& f = o.file;
  NACS_FUZZ_CHECK(!f.rows.empty(), "a file with no rows was accepted");
  NACS_FUZZ_CHECK(f.weights.empty() || f.weights.size() == f.rows.size(), "weights and rows differ in count");
  NACS_FUZZ_CHECK(f.labels.empty() || f.labels.size() == f.rows.size(), "labels and rows differ in count");
  NACS_FUZZ_CHECK(f.format != nacs::coreset_file_format::rows || f.labels.empty(), "plain rows carry no labels");
  for (const auto r : f.rows) NACS_FUZZ_CHECK(r >= 0, "a negative row index");
  for (const float w : f.weights) NACS_FUZZ_CHECK(std::isfinite(w) && w >= 0, "a weight that is not finite and >= 0");
  for (const float q : f.labels) NACS_FUZZ_CHECK(q >= 0 && q <= 1, "a label outside [0, 1]");

  // The row bound: max + 1 accepts the same file, max refuses it as a bad line.
  const nacs::row_index top = *std::max_element(f.rows.begin(), f.rows.end());
  if (top < std::numeric_limits<nacs::row_index>::max()) {
    const outcome bounded = read(text, top + 1);
    NACS_FUZZ_CHECK(!bounded.threw, "a bound of max + 1 refused the file: " + bounded.message);
    NACS_FUZZ_CHECK(bounded.file.rows == f.rows && same_bits(bounded.file.weights, f.weights), "a bound changed rows");
  }
  const outcome cut = read(text, top);
  NACS_FUZZ_CHECK(cut.threw && cut.code == nacs::errc::parse, "a bound of max accepted row max");

  // Written and read back: the same values.
  const std::vector<float> weights = f.weights.empty() ? std::vector<float>(f.rows.size(), 1.0f) : f.weights;
  const std::vector<float> labels = f.labels.empty() ? std::vector<float>(f.rows.size(), 0.5f) : f.labels;
  static const std::filesystem::path tmp =
      std::filesystem::temp_directory_path() / ("nacs_fuzz_coreset_" + std::to_string(::getpid()) + ".csv");
  nacs::write_coreset_file(tmp, f.rows, weights, labels);
  const nacs::coreset_file back = nacs::read_coreset_file(tmp);
  NACS_FUZZ_CHECK(back.format == nacs::coreset_file_format::coreset, "the written file is not row,weight,label");
  NACS_FUZZ_CHECK(back.rows == f.rows, "rows changed in a write and read");
  NACS_FUZZ_CHECK(same_bits(back.weights, weights), "weights changed in a write and read");
  NACS_FUZZ_CHECK(same_bits(back.labels, labels), "labels changed in a write and read");
  return 0;
}
