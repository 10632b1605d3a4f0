// y = Value, every element    y: [Dims...] (a scalar [] by default, which broadcasts to any shape)
// No backward: nothing is trained. Read element by element, it is inlined into its reader's loop.
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

template <real Value, class Shape>
struct constant_node {
  using shape = Shape;
  using children = type_list<>;
  static constexpr bool is_elementwise = true;
  static constexpr std::string_view type_name = "Constant";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;

  template <class Ctx>
  static auto at(const Ctx&, std::size_t) { return typename Ctx::scalar(Value); }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<constant_node>();
    for (std::size_t i = 0; i < Ctx::template full<constant_node>::size; ++i) y[i] = typename Ctx::scalar(Value);
  }
  template <class Ctx>
  static void backward(const Ctx&) {}
};

/// A constant: `x + constant<1.0>` (a scalar), `constant<0.5, 4>` (a [4] of 0.5).
template <real Value, std::size_t... Dims>
inline constexpr constant_node<Value, shape<Dims...>> constant{};

}  // namespace ctgraph
