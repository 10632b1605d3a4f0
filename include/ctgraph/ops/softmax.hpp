// y_i = exp(x_i - max x) / sum_j exp(x_j - max x), along one axis    x, y: same shape
// backward: dx_i = y_i (g_i - sum_j g_j y_j), along the same axis
#pragma once

#include <cmath>

#include "ctgraph/detail/axis.hpp"
#include "ctgraph/detail/softmax_row.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <std::size_t Axis, node A>  // Axis normalized, per sample
struct softmax_node {
  using shape = typename A::shape;
  using children = type_list<A>;
  static constexpr std::size_t axis = Axis;
  static constexpr std::string_view type_name = "Softmax";
  static constexpr std::size_t flops = 4 * shape::size;
  static constexpr std::size_t backward_flops = needs_grad<A> ? 4 * shape::size : 0;
  template <class... C>
  using with_children = softmax_node<Axis, C...>;

  template <class Ctx>
  using split = detail::axis_split<typename Ctx::template full<softmax_node>, Axis + 1>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using sp = split<Ctx>;
    const S* x = c.template value<A>();
    S* y = c.template value<softmax_node>();
    if constexpr (sp::inner == 1) {  // along the last axis: contiguous rows
      detail::softmax_forward_rows<sp::outer, sp::length>(x, y);
    } else {
      for (std::size_t o = 0; o < sp::outer; ++o)
        for (std::size_t in = 0; in < sp::inner; ++in) {
          const std::size_t base = o * sp::length * sp::inner + in;
          detail::softmax_forward<sp::length, sp::inner>(x + base, y + base);
        }
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using sp = split<Ctx>;
    const S* y = c.template value<softmax_node>();
    const S* g = c.template grad<softmax_node>();
    S* dx = c.template grad<A>();
    if constexpr (sp::inner == 1) {
      detail::softmax_backward_rows<sp::outer, sp::length, true>(y, g, dx);
    } else {
      for (std::size_t o = 0; o < sp::outer; ++o)
        for (std::size_t in = 0; in < sp::inner; ++in) {
          const std::size_t base = o * sp::length * sp::inner + in;
          detail::softmax_backward<sp::length, sp::inner, true>(y + base, g + base, dx + base);
        }
    }
  }
};

/// Softmax along an axis of the sample (default: the last), as Keras' Dense(activation='softmax').
template <int Axis = -1, node A>
constexpr auto softmax(A) {
  static_assert(detail::axis_in_range<Axis, A::shape::rank>, "ctgraph: softmax<axis>(x): the axis is not one of x's");
  if constexpr (detail::axis_in_range<Axis, A::shape::rank>)
    return softmax_node<detail::normalized_axis<Axis, A::shape::rank>, A>{};
  else
    return A{};
}

}  // namespace ctgraph
