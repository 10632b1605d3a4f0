// y = x with the batch along the lanes: x [Batch, F] row-major, y [F, Batch] (feature-major)
// forward: a transpose;  backward: dx = g transposed back
// The first node of a graph whose layers run with the batch along the vector lanes
// (detail/batch_on_lanes.hpp): a user fills the input row by row, the layers read it a feature at a time.
#pragma once

#include "ctgraph/detail/transpose.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <node X>
struct to_lanes_node {
  using shape = typename X::shape;
  using children = type_list<X>;
  static constexpr std::string_view type_name = "ToLanes";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = to_lanes_node<C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, X>;  // one element of dx for each of g

  static constexpr std::size_t F = shape::size;

  template <class Ctx>
  static void forward(const Ctx& c) {
    detail::transpose<Ctx::batch, F>(c.template value<X>(), c.template value<to_lanes_node>());
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    if constexpr (needs_grad<X>) {
      using S = typename Ctx::scalar;
      const S* g = c.template grad<to_lanes_node>();
      S* dx = c.template grad<X>();
      for (std::size_t r = 0; r < Ctx::batch; ++r)
        for (std::size_t f = 0; f < F; ++f)
          dx[r * F + f] = (Ctx::template assigns_grad<X> ? S(0) : dx[r * F + f]) + g[f * Ctx::batch + r];
    }
  }
};

}  // namespace ctgraph
