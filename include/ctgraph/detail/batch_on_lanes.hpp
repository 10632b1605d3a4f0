// The batch along the vector lanes. A graph whose layers are narrower than a vector (6 features
// against AVX-512's 16 floats) fills few lanes when its values are rows of samples; stored a
// feature at a time ([features, Batch], feature-major), every product and element-wise loop runs
// on whole vectors of samples. The plan rewrites such a graph's type: each input is read through a
// transpose (to_lanes_node), each dense layer becomes a lanes_affine_node, and the element-wise
// nodes, which do not care how their operands are laid out as long as they agree, stay as they are.
//
// What a caller sees does not change: the input is filled row by row, the output (one value a
// sample, the same bits in either layout) and probe<Name> read row by row. A graph qualifies when
// every node is one the rewrite knows (inputs of one axis, dense layers, element-wise nodes over
// operands of the same shape), its output has one value a sample, and, unless asked for, when
// the batch is at least a vector and every dense layer at most a vector wide.
#pragma once

#include "ctgraph/detail/simd.hpp"
#include "ctgraph/detail/type_list.hpp"
#include "ctgraph/ops/affine.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/input.hpp"
#include "ctgraph/ops/lanes_affine.hpp"
#include "ctgraph/ops/to_lanes.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph {

enum class batch_layout { automatic, rows, lanes };

/// How a model<Graph, Batch> lays out its batch: automatic (the rule above), rows, or lanes when the
/// graph qualifies. Specialise it for a graph's type without const (model::graph) to choose.
template <class Graph, std::size_t Batch>
inline constexpr batch_layout layout_for = batch_layout::automatic;

namespace detail {

/// Whether the rewrite knows node N, and whether N is narrow enough to gain by it.
template <class N>
struct lanes_node_traits {
  static constexpr bool known = is_param<N>::value || is_layer<N>::value;
  static constexpr bool narrow = true;
};
template <class Shape, fixed_string... Name>
struct lanes_node_traits<input_node<Shape, Name...>> {
  static constexpr bool known = Shape::rank == 1;
  static constexpr bool narrow = true;
};
template <class X, class W, class B, class Act>
struct lanes_node_traits<affine_node<X, W, B, Act>> {
  using a = affine_node<X, W, B, Act>;
  static constexpr bool known = X::shape::rank == 1 && is_batched<X> && a::bias_per_column &&
                                !std::is_same_v<Act, softmax_epilogue>;
  static constexpr bool narrow = a::K <= simd<float>::lanes && a::N <= simd<float>::lanes;
};
template <class Op, class A>
struct lanes_node_traits<unary_node<Op, A>> {
  static constexpr bool known = true, narrow = true;
};
template <class Op, class A, class B>
struct lanes_node_traits<binary_node<Op, A, B>> {
  static constexpr bool known = is_batched<A> && is_batched<B> && std::is_same_v<typename A::shape, typename B::shape>;
  static constexpr bool narrow = true;
};

template <class Nodes>
struct lanes_fit;
template <class... Ns>
struct lanes_fit<type_list<Ns...>> {
  static constexpr bool known = (lanes_node_traits<Ns>::known && ...);
  static constexpr bool narrow = (lanes_node_traits<Ns>::narrow && ...);
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

/// Whether a model<Graph, Batch, Scalar> runs Graph (fused, its nodes Nodes) with the batch along the lanes.
template <class Graph, class Nodes, std::size_t Batch, class Scalar, batch_layout Asked>
inline constexpr bool batch_on_lanes = [] {
  if constexpr (Asked == batch_layout::rows || Graph::shape::size != 1 || !is_batched<Graph>)
    return false;
  else if constexpr (Asked == batch_layout::lanes)
    return lanes_fit<Nodes>::known;
  else
    return lanes_fit<Nodes>::known && lanes_fit<Nodes>::narrow && Batch >= simd<Scalar>::lanes;
}();

}  // namespace detail
}  // namespace ctgraph
