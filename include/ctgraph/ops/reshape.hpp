// y = x with another shape, the values in the same (row-major) order    x: [...]  y: [Dims...], equal sizes
// backward: dx[i] = g[i]
// Element i of y is element i of x: an element-wise op over the flat index, so it is
// computed inside its reader's loop and costs no copy when its reader is element-wise.
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

// --8<-- [start:node]
template <class Shape, node A>
struct reshape_node {
  using shape = Shape;
  using children = type_list<A>;
  static constexpr bool is_elementwise = true;
  static constexpr std::string_view type_name = "Reshape";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = reshape_node<Shape, C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, A>;

  template <class Ctx>
  static auto at(const Ctx& c, std::size_t i) { return c.template load<A>(i); }
  template <class Ctx>
  static void push(const Ctx& c, std::size_t i, typename Ctx::scalar g) { c.template accumulate<A>(i, g); }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<reshape_node>();
    for (std::size_t i = 0; i < Ctx::template full<reshape_node>::size; ++i) y[i] = at(c, i);
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* g = c.template grad<reshape_node>();
    for (std::size_t i = 0; i < Ctx::template full<reshape_node>::size; ++i) push(c, i, g[i]);
  }
};

/// x's values as a [Dims...] per sample: reshape<4, 5>(x) of a [20].
template <std::size_t... Dims, node A>
constexpr auto reshape(A a) {
  static_assert(shape<Dims...>::size == A::shape::size,
                "ctgraph: reshape<dims...>(x): the new shape must hold as many values as x");
  if constexpr (shape<Dims...>::size == A::shape::size)
    return reshape_node<shape<Dims...>, A>{};
  else
    return a;
}
// --8<-- [end:node]

/// x's values as one vector per sample (Keras' Flatten).
template <node A>
constexpr auto flatten(A) {
  return reshape_node<shape<A::shape::size>, A>{};
}

}  // namespace ctgraph
