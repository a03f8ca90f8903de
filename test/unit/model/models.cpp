// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <nacs/model/ctr_model.hpp>
#include <nacs/model/models.hpp>

#include <string>
#include <vector>

namespace {
const std::vector<nacs::model_kind> all_kinds = {nacs::model_kind::logistic_regression, nacs::model_kind::fm,
                                                 nacs::model_kind::deepfm, nacs::model_kind::dcnv2,
                                                 nacs::model_kind::finalmlp};
}  // namespace

TEST_CASE("one name table: model_names, to_string and parse_model_kind agree, in model_kind order") {
  const auto names = nacs::model_names();
  REQUIRE(names.size() == 5);
  CHECK(names[0] == "lr");
  CHECK(names[1] == "fm");
  CHECK(names[2] == "deepfm");
  CHECK(names[3] == "dcnv2");
  CHECK(names[4] == "finalmlp");
  for (std::size_t i = 0; i < all_kinds.size(); ++i) {
    CHECK(nacs::to_string(all_kinds[i]) == names[i]);
    CHECK(nacs::parse_model_kind(names[i]) == all_kinds[i]);
    nacs::model_config c;
    c.kind = all_kinds[i];
    c.fusion_heads = 4;
    const std::vector<std::uint32_t> card = {3, 4};
    CHECK(nacs::ctr_model<float>(c, card).name() == names[i]);
  }
  static_assert(nacs::to_string(nacs::model_kind::dcnv2) == "dcnv2");
  CHECK(nacs::to_string(static_cast<nacs::model_kind>(9)) == "unknown");
  CHECK_THROWS_WITH_AS(nacs::parse_model_kind("DeepFM"),
                       doctest::Contains("unknown model 'DeepFM': use lr, fm, deepfm, dcnv2 or finalmlp"),
                       nacs::error);
}

TEST_CASE("model_hidden_width is the constructed model's hidden_size; model_parameter_estimate counts both tables") {
  const std::vector<std::uint32_t> card = {7, 3, 11, 5, 2};
  const std::size_t values = 7 + 3 + 11 + 5 + 2;
  for (auto kind : all_kinds) {
    for (std::size_t variant = 0; variant < 3; ++variant) {
      CAPTURE(nacs::to_string(kind));
      CAPTURE(variant);
      nacs::model_config c;
      c.kind = kind;
      c.embedding_dim = 2 + variant;
      c.mlp = variant == 0 ? std::vector<std::size_t>{6} : std::vector<std::size_t>{8, 6 + 2 * variant};
      c.mlp2 = {4 * (variant + 1)};
      c.cross_layers = variant;
      c.fusion_heads = 2;
      nacs::ctr_model<float> m(c, card);
      CHECK(nacs::model_hidden_width(c, card.size()) == m.hidden_size());
      // The estimate counts a first-order table and a D-wide table for every model: LR has only the
      // first, FinalMLP only the second; every dense layer (with batch norm) and the head exactly.
      const std::size_t extra = kind == nacs::model_kind::logistic_regression ? values * c.embedding_dim
                                : kind == nacs::model_kind::finalmlp          ? values
                                                                              : 0;
      CHECK(nacs::model_parameter_estimate(c, card) == m.parameter_count() + extra);
    }
  }
  // Before validation (as the memory plan calls it) an empty MLP or zero heads give a width, not a crash.
  nacs::model_config bad;
  bad.kind = nacs::model_kind::finalmlp;
  bad.mlp.clear();
  bad.fusion_heads = 0;
  CHECK(nacs::model_hidden_width(bad, 3) == 100);
  CHECK_THROWS_WITH_AS((void)nacs::model_hidden_width(nacs::model_config{.kind = static_cast<nacs::model_kind>(7)}, 3),
                       doctest::Contains("is not a built-in model"), nacs::error);
}
