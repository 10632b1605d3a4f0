// The batch along the vector lanes. A graph whose layers are narrower than a vector (6 features
// against AVX-512's 16 floats) fills few lanes when its values are rows of samples; stored a
// feature at a time ([features, Batch], feature-major), every product and element-wise loop runs
// on whole vectors of samples. The plan rewrites such a graph's type: each input is read through a
// transpose (to_lanes_node), each dense layer becomes a lanes_affine_node, a softmax over a sample's
// features a lanes_softmax_node, and the element-wise nodes, which do not care how their operands are
// laid out as long as they agree, stay as they are.
//
// What a caller sees does not change: the input is filled row by row, the output and probe<Name>
// read row by row. An output of one value a sample has the same bits in either layout; one of
// several goes back into rows (from_lanes_node) under its final sigmoid or softmax, which stays in
// rows so that a loss can fold into it. A graph qualifies when every node is one the rewrite knows
// (inputs of one axis, dense layers, softmax over one axis, element-wise nodes over operands of the
// same shape) and, unless asked for, when the batch is at least a vector and fills its vectors
// better than every dense layer's width does (a layer of 20 floats fills 20 of 32 lanes, a batch of
// 120 fills 120 of 128).
#pragma once

#include "ctgraph/detail/simd.hpp"
#include "ctgraph/detail/type_list.hpp"
#include "ctgraph/ops/affine.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/input.hpp"
#include "ctgraph/ops/lanes_affine.hpp"
#include "ctgraph/ops/lanes_softmax.hpp"
#include "ctgraph/ops/lanes_transpose.hpp"
#include "ctgraph/ops/softmax.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph {

enum class batch_layout { automatic, rows, lanes };

/// How a model<Graph, Batch> lays out its batch: automatic (the rule above), rows, or lanes when the
/// graph qualifies. Specialise it for a graph's type without const (model::graph) to choose.
template <class Graph, std::size_t Batch>
inline constexpr batch_layout layout_for = batch_layout::automatic;

namespace detail {

/// Whether n values fill less of their vectors of floats than `batch` values do (20 fill 20 of 32
/// lanes, 120 fill 120 of 128).
constexpr bool fills_less(std::size_t n, std::size_t batch) {
  constexpr std::size_t L = simd<float>::lanes;
  return n * ((batch + L - 1) / L * L) < batch * ((n + L - 1) / L * L);
}

/// Whether the rewrite knows node N, and whether N is narrow enough in rows for a batch of Batch
/// along the lanes to gain by it (a node that is not a product is never what decides).
struct lanes_node_not_a_product {
  template <std::size_t Batch>
  static constexpr bool narrow = true;
};
template <class N>
struct lanes_node_traits : lanes_node_not_a_product {
  static constexpr bool known = is_param<N>::value || is_layer<N>::value;
};
template <class Shape, fixed_string... Name>
struct lanes_node_traits<input_node<Shape, Name...>> : lanes_node_not_a_product {
  static constexpr bool known = Shape::rank == 1;
};
template <class X, class W, class B, class Act>
struct lanes_node_traits<affine_node<X, W, B, Act>> {
  using a = affine_node<X, W, B, Act>;
  static constexpr bool known = X::shape::rank == 1 && is_batched<X> && a::bias_per_column &&
                                !std::is_same_v<Act, softmax_epilogue>;
  // In rows a product's vectors run along the layer's N features.
  template <std::size_t Batch>
  static constexpr bool narrow = fills_less(a::N, Batch);
};
template <class Op, class A>
struct lanes_node_traits<unary_node<Op, A>> : lanes_node_not_a_product {
  static constexpr bool known = true;
};
template <class Op, class A, class B>
struct lanes_node_traits<binary_node<Op, A, B>> : lanes_node_not_a_product {
  static constexpr bool known = is_batched<A> && is_batched<B> && std::is_same_v<typename A::shape, typename B::shape>;
};
template <std::size_t Axis, class A>
struct lanes_node_traits<softmax_node<Axis, A>> : lanes_node_not_a_product {
  static constexpr bool known = A::shape::rank == 1 && is_batched<A>;
};

template <class Nodes, std::size_t Batch>
struct lanes_fit;
template <class... Ns, std::size_t Batch>
struct lanes_fit<type_list<Ns...>, Batch> {
  static constexpr bool known = (lanes_node_traits<Ns>::known && ...);
  static constexpr bool narrow = (lanes_node_traits<Ns>::template narrow<Batch> && ...);
};

/// Graph (already fused) with the batch along the lanes: the type rewrite.
template <class N>
struct on_lanes;
template <class N>
using on_lanes_t = typename on_lanes<N>::type;

template <class N, class Children = typename N::children>
struct on_lanes_rebuild {
  using type = N;
};
template <class N, class C, class... Cs>
struct on_lanes_rebuild<N, type_list<C, Cs...>> {
  using type = typename N::template with_children<on_lanes_t<C>, on_lanes_t<Cs>...>;
};
template <class N>
struct on_lanes {
  using type = std::conditional_t<is_input<N>::value, to_lanes_node<N>, typename on_lanes_rebuild<N>::type>;
};
template <class X, class W, class B, class Act>
struct on_lanes<affine_node<X, W, B, Act>> {
  using type = lanes_affine_node<on_lanes_t<X>, W, B, Act>;
};
template <std::size_t Axis, class A>
struct on_lanes<softmax_node<Axis, A>> {
  using type = lanes_softmax_node<on_lanes_t<A>>;
};

/// The whole graph's rewrite: its output back in rows when a sample has several values, under the
/// output's final sigmoid or softmax (which stay in rows, for a loss to fold into).
template <class N>
struct on_lanes_output {
  using type = std::conditional_t<N::shape::size == 1, on_lanes_t<N>, from_lanes_node<on_lanes_t<N>>>;
};
template <class N>
  requires is_layer<N>::value
struct on_lanes_output<N> {
  using type = typename N::template with_children<typename on_lanes_output<typename N::inner>::type>;
};
template <class A>
  requires(A::shape::size > 1)
struct on_lanes_output<unary_node<sigmoid_op, A>> {
  using type = unary_node<sigmoid_op, typename on_lanes_output<A>::type>;
};
template <std::size_t Axis, class A>
  requires(A::shape::size > 1)
struct on_lanes_output<softmax_node<Axis, A>> {
  using type = softmax_node<Axis, typename on_lanes_output<A>::type>;
};

/// Whether node N's value is in rows in a graph run with the batch along the lanes: it is the
/// from_lanes transpose or above it (the output's final nodes).
template <class N, class Children = typename N::children>
inline constexpr bool rows_above_lanes = false;
template <class N, class... Cs>
inline constexpr bool rows_above_lanes<N, type_list<Cs...>> = (rows_above_lanes<Cs> || ...);
template <class X>
inline constexpr bool rows_above_lanes<from_lanes_node<X>, type_list<X>> = true;

/// Whether a model<Graph, Batch, Scalar> runs Graph (fused, its nodes Nodes) with the batch along the lanes.
template <class Graph, class Nodes, std::size_t Batch, class Scalar, batch_layout Asked>
inline constexpr bool batch_on_lanes = [] {
  using fit = lanes_fit<Nodes, Batch>;
  if constexpr (Asked == batch_layout::rows || !is_batched<Graph>)
    return false;
  else if constexpr (Asked == batch_layout::lanes)
    return fit::known;
  else
    return fit::known && fit::narrow && Batch >= simd<Scalar>::lanes;
}();

}  // namespace detail
}  // namespace ctgraph
