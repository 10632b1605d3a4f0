// y = softmax(x) over a sample's F features, with the batch along the lanes: x, y [F, Batch]
//   forward:  y_f = exp(x_f - max x) / sum_j exp(x_j - max x), down each lane (a sample)
//   backward: dx_f = y_f (g_f - sum_j g_j y_j)
// The softmax node (softmax.hpp) of a graph whose layers run with the batch along the lanes
// (detail/batch_on_lanes.hpp). A sample's features are a column here, so its max, sum and dot
// product run down F rows of whole vectors, 16 samples at once, with no fold across the lanes that
// a row of 10 or 20 features needs (iris_qkv's attention: a fifth of its step in rows).
#pragma once

#include <algorithm>

#include "ctgraph/detail/simd_math.hpp"
#include "ctgraph/detail/softmax_row.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {

/// Softmax down the F rows (Stride apart) of Count lanes from x into y, in vectors that hold Count floats.
template <std::size_t F, std::size_t Stride, std::size_t Count>
inline void softmax_forward_down(const float* x, float* y) {
  constexpr std::size_t bytes = bytes_for<float, Count>;
  using V = simd<float, bytes>;
  typename V::type e[F];
  e[0] = V::template load<Count>(x);
  typename V::type peak = e[0];
  for (std::size_t f = 1; f < F; ++f) {
    e[f] = V::template load<Count>(x + f * Stride);
    peak = peak > e[f] ? peak : e[f];
  }
  typename V::type sum{};
  for (std::size_t f = 0; f < F; ++f) sum += (e[f] = exp_lanes<bytes, true>(e[f] - peak));  // x - max x <= 0
  for (std::size_t f = 0; f < F; ++f) V::template store<Count>(y + f * Stride, e[f] / sum);
}

/// dx (+)= y (g - sum g y) down the F rows (Stride apart) of Count lanes.
template <std::size_t F, std::size_t Stride, std::size_t Count, bool Accumulate, class S>
inline void softmax_backward_down(const S* y, const S* g, S* dx) {
  using V = simd<S, bytes_for<S, Count>>;
  typename V::type dot{};
  for (std::size_t f = 0; f < F; ++f) dot += V::template load<Count>(g + f * Stride) * V::template load<Count>(y + f * Stride);
  for (std::size_t f = 0; f < F; ++f) {
    auto d = V::template load<Count>(y + f * Stride) * (V::template load<Count>(g + f * Stride) - dot);
    if constexpr (Accumulate) d += V::template load<Count>(dx + f * Stride);
    V::template store<Count>(dx + f * Stride, d);
  }
}

}  // namespace detail

template <node A>
struct lanes_softmax_node {
  using shape = typename A::shape;
  using children = type_list<A>;
  static_assert(shape::rank == 1, "ctgraph: internal: only a softmax over one vector a sample runs with the batch along the lanes");
  static constexpr std::string_view type_name = "Softmax";
  static constexpr std::size_t flops = 4 * shape::size;
  static constexpr std::size_t backward_flops = needs_grad<A> ? 4 * shape::size : 0;
  template <class... C>
  using with_children = lanes_softmax_node<C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, A>;  // each element of dx once

  static constexpr std::size_t F = shape::size;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t B = Ctx::batch;
    const S* x = c.template value<A>();
    S* y = c.template value<lanes_softmax_node>();
    if constexpr (std::is_same_v<S, float>) {
      constexpr std::size_t L = detail::simd<float>::lanes, whole = B / L * L;
      for (std::size_t j = 0; j < whole; j += L) detail::softmax_forward_down<F, B, L>(x + j, y + j);
      if constexpr (whole < B) detail::softmax_forward_down<F, B, B - whole>(x + whole, y + whole);
    } else {  // double (gradient checks): a sample at a time
      for (std::size_t j = 0; j < B; ++j) detail::softmax_forward<F, B>(x + j, y + j);
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    if constexpr (needs_grad<A>) {
      using S = typename Ctx::scalar;
      constexpr std::size_t B = Ctx::batch, L = detail::simd<S>::lanes, whole = B / L * L;
      constexpr bool accumulate = !Ctx::template assigns_grad<A>;
      const S* y = c.template value<lanes_softmax_node>();
      const S* g = c.template grad<lanes_softmax_node>();
      S* dx = c.template grad<A>();
      for (std::size_t j = 0; j < whole; j += L) detail::softmax_backward_down<F, B, L, accumulate>(y + j, g + j, dx + j);
      if constexpr (whole < B) detail::softmax_backward_down<F, B, B - whole, accumulate>(y + whole, g + whole, dx + whole);
    }
  }
};

}  // namespace ctgraph
