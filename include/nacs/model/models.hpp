// SPDX-License-Identifier: Apache-2.0
/// @file
/// @brief The built-in CTR models (LR, FM, DeepFM, DCNv2, FinalMLP) as architectures, and their one name table.
///
/// Every model is `logit = w . h + b (+ side terms)`, p = sigmoid(logit); ctr_model
/// owns the head (w, b) and each architecture below computes h and the side terms:
///
/// | kind     | h (width H)                                                   | side terms of the logit |
/// |----------|---------------------------------------------------------------|-------------------------|
/// | lr       | first-order weight of each field's value (F)                  | none                    |
/// | fm       | [first-order weights (F); FM term per embedding dim (D)]      | none                    |
/// | deepfm   | MLP output (last hidden size)                                 | sum of first-order weights + FM term |
/// | dcnv2    | MLP output, the MLP fed by the cross stack's output           | sum of first-order weights |
/// | finalmlp | [h1; h2; per-head outer products h1_c h2_c^T] (two streams)   | none                    |
///
/// LR and FM start with a head of weights 1 and bias 0, so at initialisation
/// they are exactly LR and FM; the head then learns a per-field (and
/// per-dimension) scale. FinalMLP's feature-selection gates are not
/// implemented: both streams read all embeddings.
///
/// Adding a model: write its architecture here (a struct over the parts of
/// nacs/model/architecture.hpp, with `kind`, `name`, a (config, cardinalities)
/// constructor and the static `hidden_width` and `dense_parameters` the
/// pipeline's memory plan uses), add its enumerator to model_kind and its type
/// to builtin_models. Names, parsing, program flags and ctr_model follow.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nacs/core/error.hpp>
#include <nacs/core/names.hpp>
#include <nacs/model/architecture.hpp>

namespace nacs {

/// @brief Which built-in CTR model (the order of builtin_models).
enum class model_kind {
  logistic_regression,  ///< "lr"
  fm,                   ///< "fm": factorization machine
  deepfm,               ///< "deepfm": FM + MLP (Guo et al. 2017)
  dcnv2,                ///< "dcnv2": stacked full-rank cross layers then MLP (Wang et al. 2021)
  finalmlp,             ///< "finalmlp": two MLP streams, bilinear fusion (Mao et al. 2023)
};

/// @brief Architecture knobs (defaults: paper Appendix C.3 — embedding dim 10, MLP 100-100-100, dropout 0.5, BN).
struct model_config {
  model_kind kind = model_kind::deepfm;          ///< which model
  std::size_t embedding_dim = 10;                ///< D
  std::vector<std::size_t> mlp = {100, 100, 100};   ///< hidden sizes (DeepFM, DCNv2, FinalMLP stream 1)
  std::vector<std::size_t> mlp2 = {100, 100, 100};  ///< FinalMLP stream 2
  double dropout = 0.5;                          ///< dropout rate of every MLP block
  bool batch_norm = true;                        ///< batch norm in every MLP block
  std::size_t cross_layers = 3;                  ///< DCNv2 cross layers
  std::size_t fusion_heads = 10;                 ///< FinalMLP heads (must divide both streams' widths)
  double embedding_init_std = 0.01;              ///< embeddings and first-order weights start N(0, std^2)
  std::uint64_t seed = 0;                        ///< initialisation seed
  friend bool operator==(const model_config&, const model_config&) = default;
};

namespace detail::models {

inline std::size_t last_or_zero(const std::vector<std::size_t>& sizes) { return sizes.empty() ? 0 : sizes.back(); }

// Weights, biases and batch-norm scales and shifts of an MLP over `in` inputs.
inline std::size_t mlp_parameters(std::size_t in, const std::vector<std::size_t>& sizes) {
  std::size_t s = 0;
  for (const auto h : sizes) {
    s += in * h + 3 * h;
    in = h;
  }
  return s;
}

// The MLP of a deep model, with the message a configuration without hidden sizes gets.
template <class T>
nn::mlp<T> make_mlp(std::string_view model, std::size_t in, const std::vector<std::size_t>& sizes,
                    const model_config& c, const std::string& name, std::uint32_t first_layer, std::uint64_t stream) {
  NACS_EXPECTS(!sizes.empty(), errc::invalid_argument,
               "nacs::ctr_model: " + std::string(model) +
                   (name == "mlp" ? " needs at least one MLP hidden size" : " needs mlp2 sizes"));
  return nn::mlp<T>(in, sizes, c.dropout, c.batch_norm, name, first_layer, c.seed, stream);
}

}  // namespace detail::models

/// @brief The built-in architectures (one struct per model_kind).
namespace models {

/// @brief Logistic regression: h = the first-order weights, head w = 1, b = 0 at first.
template <class T>
class logistic_regression {
 public:
  static constexpr model_kind kind = model_kind::logistic_regression;
  static constexpr std::string_view name = "lr";
  static std::size_t hidden_width(const model_config&, std::size_t fields) { return fields; }
  static std::size_t dense_parameters(const model_config&, std::size_t) { return 0; }

  logistic_regression(const model_config& c, std::span<const std::uint32_t> cards)
      : first_(cards, c.embedding_init_std, c.seed) {}
  [[nodiscard]] std::size_t hidden_size() const noexcept { return first_.table.fields(); }
  void init_head(nn::linear<T>& head) const {
    fill_constant(head.weight, T(1));
    fill_constant(head.bias, T(0));
  }
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, const model_batch<T>& b) {
    return first_.forward(policy, b.ids);
  }
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh, std::span<const T>) {
    first_.backward(policy, ids, dh);
  }
  void collect(std::vector<parameter<T>*>& out) { out.push_back(&first_.table.table); }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>&) {}

 private:
  parts::first_order<T> first_;
};

/// @brief Factorization machine: h = [first-order weights; per-dimension FM term], head w = 1, b = 0 at first.
template <class T>
class fm {
 public:
  static constexpr model_kind kind = model_kind::fm;
  static constexpr std::string_view name = "fm";
  static std::size_t hidden_width(const model_config& c, std::size_t fields) { return fields + c.embedding_dim; }
  static std::size_t dense_parameters(const model_config&, std::size_t) { return 0; }

  fm(const model_config& c, std::span<const std::uint32_t> cards)
      : first_(cards, c.embedding_init_std, c.seed), emb_(cards, c.embedding_dim, c.embedding_init_std, c.seed) {}
  [[nodiscard]] std::size_t hidden_size() const noexcept { return emb_.fields() + emb_.dim(); }
  void init_head(nn::linear<T>& head) const {
    fill_constant(head.weight, T(1));
    fill_constant(head.bias, T(0));
  }
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, const model_batch<T>& b) {
    const std::size_t n = b.ids.rows(), f = emb_.fields(), d = emb_.dim();
    const auto fo = first_.forward(policy, b.ids);
    const auto e = emb_.forward(policy, b.ids);
    matrix_view<T> h(h_.get(n * (f + d)), n, f + d);
    nn::fm_interaction::forward(policy, e, f, d, matrix_view<T>(h.data() + f, n, d, f + d));
    for (std::size_t i = 0; i < n; ++i) std::copy_n(fo.row_ptr(i), f, h.row_ptr(i));
    return h;
  }
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh, std::span<const T>) {
    const std::size_t n = ids.rows(), f = emb_.fields(), d = emb_.dim(), hs = f + d;
    first_.backward(policy, ids, matrix_view<const T>(dh.data(), n, f, hs));
    auto de = emb_.gradient_buffer();
    nn::fm_interaction::backward(policy, emb_.output(), f, d, matrix_view<const T>(dh.data() + f, n, d, hs), de);
    emb_.backward(policy, ids, matrix_view<const T>(de));
  }
  void collect(std::vector<parameter<T>*>& out) {
    out.push_back(&first_.table.table);
    out.push_back(&emb_.table.table);
  }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>&) {}

 private:
  parts::first_order<T> first_;
  parts::field_embedding<T> emb_;
  detail::scratch<T> h_;
};

/// @brief DeepFM: h = MLP(embeddings); side terms: the first-order weights and the FM term, summed.
template <class T>
class deepfm {
 public:
  static constexpr model_kind kind = model_kind::deepfm;
  static constexpr std::string_view name = "deepfm";
  static std::size_t hidden_width(const model_config& c, std::size_t) { return detail::models::last_or_zero(c.mlp); }
  static std::size_t dense_parameters(const model_config& c, std::size_t fields) {
    return detail::models::mlp_parameters(fields * c.embedding_dim, c.mlp);
  }

  deepfm(const model_config& c, std::span<const std::uint32_t> cards)
      : first_(cards, c.embedding_init_std, c.seed),
        emb_(cards, c.embedding_dim, c.embedding_init_std, c.seed),
        mlp_(detail::models::make_mlp<T>(name, emb_.width(), c.mlp, c, "mlp", 0, 1000)) {}
  [[nodiscard]] std::size_t hidden_size() const noexcept { return mlp_.out(); }
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, const model_batch<T>& b) {
    const std::size_t n = b.ids.rows(), f = emb_.fields(), d = emb_.dim();
    parts::add_row_sums(matrix_view<const T>(first_.forward(policy, b.ids)), b.side);
    const auto e = emb_.forward(policy, b.ids);
    matrix_view<T> s(fm_.get(n * d), n, d);
    nn::fm_interaction::forward(policy, e, f, d, s);
    parts::add_row_sums(matrix_view<const T>(s), b.side);
    return mlp_.forward(policy, e, b.mode, b.key, b.row_keys);
  }
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                std::span<const T> dlogits) {
    first_.backward_summed(policy, ids, dlogits);
    auto de = emb_.gradient_buffer();
    const auto e = emb_.output();
    mlp_.backward(policy, e, dh, de);
    nn::fm_interaction::backward(policy, e, emb_.fields(), emb_.dim(), parts::broadcast(dfm_, dlogits, emb_.dim()),
                                 de, true);
    emb_.backward(policy, ids, matrix_view<const T>(de));
  }
  void collect(std::vector<parameter<T>*>& out) {
    out.push_back(&first_.table.table);
    out.push_back(&emb_.table.table);
    mlp_.collect(out);
  }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>& out) { parts::collect_batch_norms(mlp_, out); }

 private:
  parts::first_order<T> first_;
  parts::field_embedding<T> emb_;
  nn::mlp<T> mlp_;
  detail::scratch<T> fm_, dfm_;
};

/// @brief DCNv2 (stacked): h = MLP(cross stack(embeddings)); side term: the first-order weights, summed.
template <class T>
class dcnv2 {
 public:
  static constexpr model_kind kind = model_kind::dcnv2;
  static constexpr std::string_view name = "dcnv2";
  static std::size_t hidden_width(const model_config& c, std::size_t) { return detail::models::last_or_zero(c.mlp); }
  static std::size_t dense_parameters(const model_config& c, std::size_t fields) {
    const std::size_t width = fields * c.embedding_dim;
    return detail::models::mlp_parameters(width, c.mlp) + c.cross_layers * (width * width + width);
  }

  dcnv2(const model_config& c, std::span<const std::uint32_t> cards)
      : first_(cards, c.embedding_init_std, c.seed),
        emb_(cards, c.embedding_dim, c.embedding_init_std, c.seed),
        cross_(emb_.width(), c.cross_layers, c.seed),
        mlp_(detail::models::make_mlp<T>(name, emb_.width(), c.mlp, c, "mlp", 0, 1000)) {}
  [[nodiscard]] std::size_t hidden_size() const noexcept { return mlp_.out(); }
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, const model_batch<T>& b) {
    parts::add_row_sums(matrix_view<const T>(first_.forward(policy, b.ids)), b.side);
    const auto e = emb_.forward(policy, b.ids);
    return mlp_.forward(policy, cross_.forward(policy, e), b.mode, b.key, b.row_keys);
  }
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh,
                std::span<const T> dlogits) {
    first_.backward_summed(policy, ids, dlogits);
    const auto e = emb_.output();
    auto g = emb_.gradient_buffer();
    mlp_.backward(policy, cross_.output(e), dh, g);
    emb_.backward(policy, ids, matrix_view<const T>(cross_.backward(policy, e, g)));
  }
  void collect(std::vector<parameter<T>*>& out) {
    out.push_back(&first_.table.table);
    out.push_back(&emb_.table.table);
    cross_.collect(out);
    mlp_.collect(out);
  }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>& out) { parts::collect_batch_norms(mlp_, out); }

 private:
  parts::first_order<T> first_;
  parts::field_embedding<T> emb_;
  parts::cross_stack<T> cross_;
  nn::mlp<T> mlp_;
};

/// @brief FinalMLP: two MLP streams over the embeddings, h = their bilinear fusion features; no side terms.
template <class T>
class finalmlp {
 public:
  static constexpr model_kind kind = model_kind::finalmlp;
  static constexpr std::string_view name = "finalmlp";
  static std::size_t hidden_width(const model_config& c, std::size_t) {
    return parts::bilinear_fusion<T>::width(detail::models::last_or_zero(c.mlp), detail::models::last_or_zero(c.mlp2),
                                            std::max<std::size_t>(1, c.fusion_heads));
  }
  static std::size_t dense_parameters(const model_config& c, std::size_t fields) {
    const std::size_t width = fields * c.embedding_dim;
    return detail::models::mlp_parameters(width, c.mlp) + detail::models::mlp_parameters(width, c.mlp2);
  }

  finalmlp(const model_config& c, std::span<const std::uint32_t> cards)
      : emb_(cards, c.embedding_dim, c.embedding_init_std, c.seed),
        mlp1_(detail::models::make_mlp<T>(name, emb_.width(), c.mlp, c, "mlp", 0, 1000)),
        mlp2_(detail::models::make_mlp<T>(name, emb_.width(), c.mlp2, c, "mlp2",
                                          static_cast<std::uint32_t>(c.mlp.size()), 2000)),
        fusion_(mlp1_.out(), mlp2_.out(), c.fusion_heads) {}
  [[nodiscard]] std::size_t hidden_size() const noexcept { return fusion_.width(); }
  template <host_policy P>
  matrix_view<const T> forward(const P& policy, const model_batch<T>& b) {
    const auto e = emb_.forward(policy, b.ids);
    const auto h1 = mlp1_.forward(policy, e, b.mode, b.key, b.row_keys);
    const auto h2 = mlp2_.forward(policy, e, b.mode, b.key, b.row_keys);
    return fusion_.forward(policy, h1, h2);
  }
  template <host_policy P>
  void backward(const P& policy, matrix_view<const std::uint32_t> ids, matrix_view<const T> dh, std::span<const T>) {
    const std::size_t n = ids.rows(), a = mlp1_.out(), b = mlp2_.out();
    matrix_view<T> dh1(dh1_.get(n * a), n, a), dh2(dh2_.get(n * b), n, b);
    fusion_.backward(policy, mlp1_.blocks.back().output(), mlp2_.blocks.back().output(), dh, dh1, dh2);
    const auto e = emb_.output();
    auto de = emb_.gradient_buffer(0), de2 = emb_.gradient_buffer(1);
    mlp1_.backward(policy, e, matrix_view<const T>(dh1), de);
    mlp2_.backward(policy, e, matrix_view<const T>(dh2), de2);
    for (std::size_t i = 0; i < n * emb_.width(); ++i) de.data()[i] += de2.data()[i];
    emb_.backward(policy, ids, matrix_view<const T>(de));
  }
  void collect(std::vector<parameter<T>*>& out) {
    out.push_back(&emb_.table.table);
    mlp1_.collect(out);
    mlp2_.collect(out);
  }
  void collect_batch_norms(std::vector<nn::batch_norm<T>*>& out) {
    parts::collect_batch_norms(mlp1_, out);
    parts::collect_batch_norms(mlp2_, out);
  }

 private:
  parts::field_embedding<T> emb_;
  nn::mlp<T> mlp1_, mlp2_;
  parts::bilinear_fusion<T> fusion_;
  detail::scratch<T> dh1_, dh2_;
};

}  // namespace models

/// @brief The built-in architectures, in model_kind order: the one table names, parsing and ctr_model read.
template <class T>
using builtin_models = std::tuple<models::logistic_regression<T>, models::fm<T>, models::deepfm<T>,
                                  models::dcnv2<T>, models::finalmlp<T>>;

namespace detail::models {

template <class T, std::size_t... I>
constexpr bool kinds_in_order(std::index_sequence<I...>) {
  return ((static_cast<std::size_t>(std::tuple_element_t<I, builtin_models<T>>::kind) == I) && ...);
}
static_assert(kinds_in_order<float>(std::make_index_sequence<std::tuple_size_v<builtin_models<float>>>{}),
              "builtin_models must list the architectures in model_kind order");

// Calls fn(std::type_identity<A>{}) for the architecture A of `kind` and returns its result.
template <class T, class F, std::size_t I = 0>
decltype(auto) visit_kind(model_kind kind, F&& fn) {
  using A = std::tuple_element_t<I, builtin_models<T>>;
  if constexpr (I + 1 == std::tuple_size_v<builtin_models<T>>) {
    NACS_EXPECTS(kind == A::kind, errc::invalid_argument,
                 "nacs: model_kind " + std::to_string(static_cast<int>(kind)) + " is not a built-in model");
    return fn(std::type_identity<A>{});
  } else {
    if (kind == A::kind) return fn(std::type_identity<A>{});
    return visit_kind<T, F, I + 1>(kind, std::forward<F>(fn));
  }
}

}  // namespace detail::models

/// @brief The built-in models' name table (builtin_models' `name`s; the value is the model_kind's number).
inline constexpr auto model_table = types_name_table<builtin_models<float>>("model");

/// @brief The built-in models' names, in model_kind order ("lr", "fm", "deepfm", "dcnv2", "finalmlp").
[[nodiscard]] inline std::span<const std::string_view> model_names() noexcept { return model_table.names(); }

/// @brief "lr", "fm", "deepfm", "dcnv2" or "finalmlp".
constexpr std::string_view to_string(model_kind k) noexcept {
  return model_table.name_of(static_cast<std::size_t>(k));
}

/// @brief The model_kind named by to_string's spelling.
/// @throws nacs::error errc::invalid_argument for an unknown name, listing the known ones
inline model_kind parse_model_kind(std::string_view name) {
  if (const auto i = model_table.find(name)) return static_cast<model_kind>(*i);
  NACS_FAIL(errc::invalid_argument, "unknown model '", name, "': use ", join_names(model_table.names()));
}

/// @brief `c` with its kind set to `kind`; for FinalMLP the fusion heads become the largest count up to 10
/// that divides the last width of both streams (1 when a stream is empty).
[[nodiscard]] inline model_config with_kind(model_config c, model_kind kind) {
  c.kind = kind;
  if (kind == model_kind::finalmlp) {
    const std::size_t a = c.mlp.empty() ? 1 : c.mlp.back(), b = c.mlp2.empty() ? 1 : c.mlp2.back();
    std::size_t heads = std::max<std::size_t>(1, std::min<std::size_t>({10, a, b}));
    while (a % heads != 0 || b % heads != 0) --heads;
    c.fusion_heads = heads;
  }
  return c;
}

/// @brief Width H of h for a configuration over `fields` fields (what ctr_model(config, ...).hidden_size() gives).
[[nodiscard]] inline std::size_t model_hidden_width(const model_config& c, std::size_t fields) {
  return detail::models::visit_kind<float>(c.kind, [&](auto a) {
    return decltype(a)::type::hidden_width(c, fields);
  });
}

/// @brief Trainable values of a configuration, about: both embedding tables, the dense layers, the head.
[[nodiscard]] inline std::size_t model_parameter_estimate(const model_config& c, std::span<const std::uint32_t> cards) {
  std::size_t values = 0;
  for (const auto v : cards) values += static_cast<std::size_t>(v) * (c.embedding_dim + 1);
  const std::size_t dense = detail::models::visit_kind<float>(c.kind, [&](auto a) {
    return decltype(a)::type::dense_parameters(c, cards.size());
  });
  return values + dense + model_hidden_width(c, cards.size()) + 1;
}

}  // namespace nacs
