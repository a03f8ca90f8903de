// SPDX-License-Identifier: Apache-2.0
// Where the real CTR samples are: $NACS_SHARED_DATA (ctest sets it), else
// <source>/../shared/data; std::nullopt when neither exists (tests then skip).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>

namespace nacs_test {

inline std::optional<std::filesystem::path> shared_data() {
  std::error_code ec;
  if (const char* e = std::getenv("NACS_SHARED_DATA"); e != nullptr && *e != '\0' &&
                                                       std::filesystem::is_directory(e, ec))
    return std::filesystem::path(e);
  const std::filesystem::path p = std::filesystem::path(NACS_SOURCE_DIR) / ".." / "shared" / "data";
  if (std::filesystem::is_directory(p, ec)) return p;
  return std::nullopt;
}

}  // namespace nacs_test
