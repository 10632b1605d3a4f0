// The batch moved onto the vector lanes, or back into rows:
//   to_lanes_node:   x [Batch, F] row-major -> y [F, Batch] (feature-major)
//   from_lanes_node: x [F, Batch]           -> y [Batch, F]
//   forward: a transpose;  backward: dx = g transposed the other way
// The edges of a graph whose layers run with the batch along the lanes (detail/batch_on_lanes.hpp):
// a user fills the input row by row and the layers read it a feature at a time; an output of
// several values a sample goes back into rows for the loss (and its final sigmoid or softmax).
#pragma once

#include "ctgraph/detail/transpose.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <node X, bool ToLanes>
struct lanes_transpose_node {
  using shape = typename X::shape;
  using children = type_list<X>;
  static constexpr bool to_lanes = ToLanes;
  static constexpr std::string_view type_name = ToLanes ? "ToLanes" : "FromLanes";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = lanes_transpose_node<C..., ToLanes>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, X>;  // one element of dx for each of g

  static constexpr std::size_t F = shape::size;

  // out = in transposed, from rows to lanes (Forward == ToLanes) or from lanes to rows.
  template <std::size_t Batch, bool Forward, class S>
  static void move(const S* in, S* out) {
    if constexpr (Forward)
      detail::transpose<Batch, F>(in, out);
    else
      detail::transpose<F, Batch>(in, out);
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    move<Ctx::batch, ToLanes>(c.template value<X>(), c.template value<lanes_transpose_node>());
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    if constexpr (needs_grad<X>) {
      using S = typename Ctx::scalar;
      constexpr std::size_t B = Ctx::batch;
      const S* g = c.template grad<lanes_transpose_node>();
      S* dx = c.template grad<X>();
      if constexpr (Ctx::template assigns_grad<X>) {
        move<B, !ToLanes>(g, dx);
      } else {  // element [r][f] in rows is [f][r] in lanes
        for (std::size_t r = 0; r < B; ++r)
          for (std::size_t f = 0; f < F; ++f) {
            if constexpr (ToLanes)
              dx[r * F + f] += g[f * B + r];
            else
              dx[f * B + r] += g[r * F + f];
          }
      }
    }
  }
};

template <node X>
using to_lanes_node = lanes_transpose_node<X, true>;
template <node X>
using from_lanes_node = lanes_transpose_node<X, false>;

}  // namespace ctgraph
