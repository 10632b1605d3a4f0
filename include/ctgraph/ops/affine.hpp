// y = act(x W + b), one node made by the fusion pass from matmul, + and an activation
//   x: [M, K] or [K]   W: [K, N]   b: [N] or y's shape   y: [M, N] or [N]
// forward: one gemm, a bias per column added in its store (else in a pass after), then the
//          activation in a pass over y (none for a linear layer)
// backward: z' = act'(y) g (in place, softmax along the last axis);
//           db = sum of z' over rows;  dW = x^T z';  dx = z' W^T
#pragma once

#include <cmath>

#include "ctgraph/detail/row_block.hpp"
#include "ctgraph/detail/softmax_row.hpp"
#include "ctgraph/ops/matmul.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph {

/// The softmax epilogue (along the last axis) of a fused affine node.
struct softmax_epilogue {
  static constexpr derivative_of derivative = derivative_of::output;  // dx_i = y_i (g_i - sum_j g_j y_j)
  static constexpr std::string_view name = "softmax";
};

template <node X, node W, node B, class Act>
struct affine_node {
  using dims = detail::matmul_dims<typename X::shape, typename W::shape>;
  static constexpr std::size_t M = dims::m, K = dims::k, N = dims::n;
  using shape = typename dims::shape;
  using children = type_list<X, W, B>;
  using act = Act;
  static_assert(!is_batched<W> && !is_batched<B>, "ctgraph: internal: only parameters fuse into an affine node");
  static_assert(op_traits<Act>::fuses_into_epilogue,
                "ctgraph: internal: an activation whose derivative needs its input cannot run in an epilogue");
  static constexpr bool bias_per_column = B::shape::size == N;
  static constexpr std::string_view type_name = "Affine";
  static constexpr std::size_t flops = 2 * M * K * N + 2 * M * N;
  static constexpr std::size_t backward_flops = (needs_grad<X> + 1) * 2 * M * K * N + 3 * M * N;
  template <class... C>
  using with_children = affine_node<C..., Act>;
  /// dx, dW and a per-column db are each one product or sum, written whole: when the plan finds this
  /// node their one writer, they are assigned and need no zeroing (plan.hpp grad_assigned).
  template <class C>
  static constexpr bool assigns_grad_of =
      std::is_same_v<C, X> || std::is_same_v<C, W> || (std::is_same_v<C, B> && bias_per_column);

  template <class Ctx>
  static constexpr std::size_t rows = (is_batched<X> ? Ctx::batch : 1) * M;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = rows<Ctx>;
    S* y = c.template value<affine_node>();
    const S* b = c.template value<B>();
    // The bias is one row (per column) or M rows, one for each row of a sample (b shaped as y). One
    // row is added in the product's store; then the activation (or the softmax) is a pass of its own.
    if constexpr (bias_per_column) {
      detail::fixed_gemm<false, false, false, R, N, K, detail::gemm_bias::per_column>(c.template value<X>(),
                                                                                     c.template value<W>(), y, b);
      if constexpr (std::is_same_v<Act, softmax_epilogue>)
        detail::softmax_forward_rows<R, N>(y, y);
      else if constexpr (!std::is_same_v<Act, identity_op>)
        for (std::size_t i = 0; i < R * N; ++i) y[i] = S(Act::f(y[i]));
    } else {
      detail::fixed_gemm<false, false, false, R, N, K>(c.template value<X>(), c.template value<W>(), y);
      if constexpr (std::is_same_v<Act, softmax_epilogue>) {
        detail::add_bias_and_map<R, N, M>(y, b, [](S v) { return v; });
        detail::softmax_forward_rows<R, N>(y, y);
      } else {
        detail::add_bias_and_map<R, N, M>(y, b, [](S v) { return S(Act::f(v)); });
      }
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = rows<Ctx>;
    const S* y = c.template value<affine_node>();
    S* g = c.template grad<affine_node>();  // becomes z' in place: nothing reads this gradient after us
    S* db = c.template grad<B>();
    if constexpr (std::is_same_v<Act, softmax_epilogue>) {
      detail::softmax_backward_rows<R, N, false>(y, g, g);
    } else if constexpr (!std::is_same_v<Act, identity_op>) {
      // act' from the output alone: what op_traits<Act>::fuses_into_epilogue promises. One pass over
      // the block, so that it vectorizes however narrow a row is.
      for (std::size_t i = 0; i < R * N; ++i) g[i] *= Act::df(y[i], y[i]);
    }
    if constexpr (bias_per_column) {
      // Summed apart from db, in registers: db += g row by row waited on its own store at every row
      // (db may alias g for the compiler), a quarter of digits_attention's step at 6 columns.
      detail::add_column_sums<R, N, !Ctx::template assigns_grad<B>>(g, db);
    } else {
      for (std::size_t r = 0; r < R; ++r)
        for (std::size_t j = 0; j < N; ++j) db[(r % M) * N + j] += g[r * N + j];
    }
    detail::fixed_gemm<true, false, !Ctx::template assigns_grad<W>, K, N, R>(c.template value<X>(), g,
                                                                           c.template grad<W>());
    if constexpr (needs_grad<X>)
      detail::fixed_gemm<false, true, !Ctx::template assigns_grad<X>, R, K, N>(g, c.template value<W>(),
                                                                             c.template grad<X>());
  }
};

}  // namespace ctgraph
