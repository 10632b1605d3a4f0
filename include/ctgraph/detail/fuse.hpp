// The fusion pass: a rewrite of the graph's type, bottom-up, before any code is
// generated. matmul(x, W) + b followed by an activation becomes one affine node.
// The output's own sigmoid or softmax stays apart so that a loss can fold into it.
#pragma once

#include "ctgraph/ops/affine.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/ops/softmax.hpp"

namespace ctgraph::detail {

template <class N>
struct fuse;
template <class N>
using fuse_t = typename fuse<N>::type;

// Rules, tried on a node whose children are already fused.
template <class N>
struct fuse_rule {
  using type = N;
};

template <class X, class W, class B, class Out>
inline constexpr bool affine_fits = is_param<W>::value && is_param<B>::value &&
                                    ((B::shape::rank == 1 && B::shape::dim_from_back(0) == Out::dim_from_back(0)) ||
                                     std::is_same_v<typename B::shape, Out>);

template <class X, class W, class B>
struct fuse_rule<binary_node<add_op, matmul_node<X, W>, B>> {
  using plain = binary_node<add_op, matmul_node<X, W>, B>;
  using type = std::conditional_t<affine_fits<X, W, B, typename plain::shape> &&
                                      std::is_same_v<typename plain::shape, typename matmul_node<X, W>::shape>,
                                  affine_node<X, W, B, identity_op>, plain>;
};

// The op says whether it may run in the epilogue (its derivative from y alone): see op_traits.
template <class Op, class X, class W, class B>
struct fuse_rule<unary_node<Op, affine_node<X, W, B, identity_op>>> {
  using type = std::conditional_t<op_traits<Op>::fuses_into_epilogue, affine_node<X, W, B, Op>,
                                  unary_node<Op, affine_node<X, W, B, identity_op>>>;
};

template <std::size_t Axis, class X, class W, class B>
struct fuse_rule<softmax_node<Axis, affine_node<X, W, B, identity_op>>> {
  using plain = softmax_node<Axis, affine_node<X, W, B, identity_op>>;
  using type = std::conditional_t<Axis + 1 == plain::shape::rank, affine_node<X, W, B, softmax_epilogue>, plain>;
};

template <class N, class Children = typename N::children>
struct rebuild {
  using type = N;  // a leaf: input or parameter
};
template <class N, class C, class... Cs>
struct rebuild<N, type_list<C, Cs...>> {
  using type = typename N::template with_children<fuse_t<C>, fuse_t<Cs>...>;
};

template <class N>
struct fuse {
  using type = typename fuse_rule<typename rebuild<N>::type>::type;
};

// The output: keep a final sigmoid or softmax as its own node over a materialized logit.
template <class N>
struct fuse_output {
  using type = fuse_t<N>;
};
template <class N>
  requires is_layer<N>::value
struct fuse_output<N> {
  using type = layer_node<typename N::kind, typename N::owner, typename fuse_output<typename N::inner>::type>;
};
template <class A>
struct fuse_output<unary_node<sigmoid_op, A>> {
  using type = unary_node<sigmoid_op, fuse_t<A>>;
};
template <std::size_t Axis, class A>
struct fuse_output<softmax_node<Axis, A>> {
  using type = softmax_node<Axis, fuse_t<A>>;
};

// Several outputs: each keeps its own final sigmoid or softmax, for its own loss.
template <class A, class B>
struct fuse_output<outputs_node<A, B>> {
  using type = outputs_node<typename fuse_output<A>::type, typename fuse_output<B>::type>;
};

/// The graph as it is executed.
template <class Graph>
using fused_graph = typename fuse_output<Graph>::type;

/// The node under the output's final sigmoid (its logit), or void when there is none.
template <class N>
struct sigmoid_logit {
  using type = void;
};
template <class N>
  requires is_layer<N>::value
struct sigmoid_logit<N> : sigmoid_logit<typename N::inner> {};
template <class A>
struct sigmoid_logit<unary_node<sigmoid_op, A>> {
  using type = A;
};

}  // namespace ctgraph::detail
