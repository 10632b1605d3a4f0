// Layer normalisation over the last axis (length N), per row:
//   mu = mean x,  var = mean (x - mu)^2 (biased),  r = 1 / sqrt(var + Eps),  xh = (x - mu) r
//   y = gamma xh + beta          x, y: [..., N]   gamma, beta: [N]
// backward: dbeta += g,  dgamma += g xh,  with dxh = g gamma:
//           dx = r (dxh - mean(dxh) - xh mean(dxh xh))
// mu and r are recomputed from x in the backward pass: no buffer of their own.
#pragma once

#include <cmath>

#include "ctgraph/node.hpp"

namespace ctgraph {

template <real Eps, node X, node Gamma, node Beta>
struct layer_norm_node {
  static constexpr std::size_t N = X::shape::dim_from_back(0);
  using shape = typename X::shape;
  using children = type_list<X, Gamma, Beta>;
  static_assert(!is_batched<Gamma> && !is_batched<Beta>, "ctgraph: internal: layer_norm's gamma and beta are parameters");
  static constexpr std::string_view type_name = "LayerNormalization";
  static constexpr std::size_t flops = 8 * shape::size;
  static constexpr std::size_t backward_flops = 12 * shape::size;
  template <class... C>
  using with_children = layer_norm_node<Eps, C...>;

  template <class Ctx>
  static constexpr std::size_t rows = Ctx::template full<X>::size / N;

  /// mu and r of one row.
  template <class S>
  static void moments(const S* x, S& mu, S& r) {
    S sum = 0;
    for (std::size_t j = 0; j < N; ++j) sum += x[j];
    mu = sum / S(N);
    S var = 0;
    for (std::size_t j = 0; j < N; ++j) var += (x[j] - mu) * (x[j] - mu);
    r = S(1) / std::sqrt(var / S(N) + S(Eps));
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* gamma = c.template value<Gamma>();
    const S* beta = c.template value<Beta>();
    for (std::size_t row = 0; row < rows<Ctx>; ++row) {
      const S* x = c.template value<X>() + row * N;
      S* y = c.template value<layer_norm_node>() + row * N;
      S mu, r;
      moments(x, mu, r);
      for (std::size_t j = 0; j < N; ++j) y[j] = gamma[j] * (x[j] - mu) * r + beta[j];
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* gamma = c.template value<Gamma>();
    for (std::size_t row = 0; row < rows<Ctx>; ++row) {
      const S* x = c.template value<X>() + row * N;
      const S* g = c.template grad<layer_norm_node>() + row * N;
      S mu, r;
      moments(x, mu, r);
      S mean_dxh = 0, mean_dxh_xh = 0;
      for (std::size_t j = 0; j < N; ++j) {
        const S xh = (x[j] - mu) * r, dxh = g[j] * gamma[j];
        mean_dxh += dxh;
        mean_dxh_xh += dxh * xh;
        if constexpr (needs_grad<Gamma>) c.template grad<Gamma>()[j] += g[j] * xh;
        if constexpr (needs_grad<Beta>) c.template grad<Beta>()[j] += g[j];
      }
      mean_dxh /= S(N);
      mean_dxh_xh /= S(N);
      if constexpr (needs_grad<X>) {
        S* dx = c.template grad<X>() + row * N;
        for (std::size_t j = 0; j < N; ++j) {
          const S xh = (x[j] - mu) * r;
          dx[j] += r * (g[j] * gamma[j] - mean_dxh - xh * mean_dxh_xh);
        }
      }
    }
  }
};

}  // namespace ctgraph
