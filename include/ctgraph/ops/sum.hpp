// y = sum of x along one axis, which is removed    x: [..., L, ...]  y: [..., ...]
// backward: dx[..., k, ...] = g[..., ...] for every k
#pragma once

#include "ctgraph/detail/axis.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class S, std::size_t Axis>
struct without_axis {
  constexpr std::array<std::size_t, S::rank - 1> operator()() const {
    std::array<std::size_t, S::rank - 1> out{};
    for (std::size_t d = 0, o = 0; d < S::rank; ++d)
      if (d != Axis) out[o++] = S::dims[d];
    return out;
  }
};
}  // namespace detail

template <std::size_t Axis, node A>  // Axis normalized, per sample
struct sum_node {
  using shape = detail::shape_from<A::shape::rank - 1, detail::without_axis<typename A::shape, Axis>>;
  using children = type_list<A>;
  static constexpr std::string_view type_name = "Sum";
  static constexpr std::size_t flops = A::shape::size;
  static constexpr std::size_t backward_flops = needs_grad<A> ? A::shape::size : 0;
  template <class... C>
  using with_children = sum_node<Axis, C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, A>;  // each element of dx once

  template <class Ctx>
  using split = detail::axis_split<typename Ctx::template full<A>, Axis + 1>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using sp = split<Ctx>;
    const S* x = c.template value<A>();
    S* y = c.template value<sum_node>();
    for (std::size_t o = 0; o < sp::outer; ++o)
      for (std::size_t in = 0; in < sp::inner; ++in) {
        S total = 0;
        for (std::size_t k = 0; k < sp::length; ++k) total += x[(o * sp::length + k) * sp::inner + in];
        y[o * sp::inner + in] = total;
      }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using sp = split<Ctx>;
    const S* g = c.template grad<sum_node>();
    // accumulate assigns where the plan finds the sum dx's one writer (no zeroing before), else adds.
    for (std::size_t o = 0; o < sp::outer; ++o)
      for (std::size_t k = 0; k < sp::length; ++k)
        for (std::size_t in = 0; in < sp::inner; ++in)
          c.template accumulate<A>((o * sp::length + k) * sp::inner + in, g[o * sp::inner + in]);
  }
};

/// Sum along an axis of the sample, removing it: sum<0>(h) of [20, 2] is [2].
template <int Axis, node A>
constexpr auto sum(A) {
  static_assert(detail::axis_in_range<Axis, A::shape::rank>, "ctgraph: sum<axis>(x): the axis is not one of x's");
  if constexpr (detail::axis_in_range<Axis, A::shape::rank>)
    return sum_node<detail::normalized_axis<Axis, A::shape::rank>, A>{};
  else if constexpr (A::shape::rank > 0)
    return sum_node<A::shape::rank - 1, A>{};  // the rank the caller expects: no second error downstream
  else
    return A{};
}

}  // namespace ctgraph
