// y = [flatten(a), flatten(b)]: a graph's two outputs side by side    a: [...]  b: [...]  y: [|a| + |b|]
// backward: da = g[:|a|],  db = g[|a|:]
// A loss of several outputs (weighted_sum) reads a and b themselves; y is what output() shows.
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

template <node A, node B>
struct outputs_node {
  using first = A;
  using second = B;
  static constexpr std::size_t wa = A::shape::size, wb = B::shape::size;
  using shape = ctgraph::shape<wa + wb>;
  using children = type_list<A, B>;
  static_assert(is_batched<A> && is_batched<B>, "ctgraph: outputs(a, b): both outputs must depend on an input");
  static constexpr std::string_view type_name = "Outputs";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = outputs_node<C...>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<outputs_node>();
    for (std::size_t r = 0; r < Ctx::batch; ++r) {
      for (std::size_t j = 0; j < wa; ++j) y[r * (wa + wb) + j] = c.template load<A>(r * wa + j);
      for (std::size_t j = 0; j < wb; ++j) y[r * (wa + wb) + wa + j] = c.template load<B>(r * wb + j);
    }
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* g = c.template grad<outputs_node>();
    for (std::size_t r = 0; r < Ctx::batch; ++r) {
      for (std::size_t j = 0; j < wa; ++j) c.template accumulate<A>(r * wa + j, g[r * (wa + wb) + j]);
      for (std::size_t j = 0; j < wb; ++j) c.template accumulate<B>(r * wb + j, g[r * (wa + wb) + wa + j]);
    }
  }
};

namespace detail {
template <class N>
inline constexpr bool is_outputs = false;
template <class A, class B>
inline constexpr bool is_outputs<outputs_node<A, B>> = true;
}  // namespace detail

/// A graph of two outputs, each with its own loss: model<decltype(outputs(a, b)), 32> trained with weighted_sum.
template <node A, node B>
constexpr auto outputs(A, B) {
  return outputs_node<A, B>{};
}

}  // namespace ctgraph
