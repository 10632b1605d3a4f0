// h_t = tanh(x_t W + h_{t-1} U + b), h_{-1} = 0, for t = 0 .. T-1 (Keras' SimpleRNN cell)
//   x: [T, F]   W: [F, N]   U: [N, N]   b: [N]   y = (h_0 .. h_{T-1}): [T, N]
// backward, through time from t = T-1 down to 0:
//   z'_t = (1 - h_t^2) (g_t + z'_{t+1} U^T)
//   db = sum_t z'_t    dW = sum_t x_t^T z'_t    dU = sum_{t>0} h_{t-1}^T z'_t    dx_t = z'_t W^T
// T and N are compile-time constants, so both time loops have fixed bounds.
#pragma once

#include <cmath>

#include "ctgraph/detail/fast_math.hpp"
#include "ctgraph/detail/small_gemm.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <node X, node W, node U, node B>
struct simple_rnn_node {
  static constexpr std::size_t T = X::shape::dims[0], F = X::shape::dims[1], N = W::shape::dims[1];
  using shape = ctgraph::shape<T, N>;
  using children = type_list<X, W, U, B>;
  static constexpr std::string_view type_name = "SimpleRNN";
  static constexpr std::size_t flops = 2 * T * F * N + 2 * T * N * N + 3 * T * N;
  static constexpr std::size_t backward_flops = (2 + needs_grad<X>) * 2 * T * F * N + 4 * T * N * N + 4 * T * N;
  template <class... C>
  using with_children = simple_rnn_node<C...>;

  template <class Ctx>
  static constexpr std::size_t rows = Ctx::template full<simple_rnn_node>::size / shape::size;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    S* h = c.template value<simple_rnn_node>();
    const S* u = c.template value<U>();
    const S* b = c.template value<B>();
    // Every step's input projection x_t W in one product, then the recurrence in place.
    detail::fixed_gemm<false, false, false, rows<Ctx> * T, N, F>(c.template value<X>(), c.template value<W>(), h);
    for (std::size_t r = 0; r < rows<Ctx>; ++r)
      for (std::size_t t = 0; t < T; ++t) {
        S* ht = h + (r * T + t) * N;
        const S* prev = ht - N;
        for (std::size_t j = 0; j < N; ++j) {
          S z = ht[j] + b[j];
          if (t > 0)
            for (std::size_t i = 0; i < N; ++i) z += prev[i] * u[i * N + j];
          ht[j] = detail::tanh(z);
        }
      }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* h = c.template value<simple_rnn_node>();
    const S* u = c.template value<U>();
    S* g = c.template grad<simple_rnn_node>();  // becomes z' in place, step by step from the last
    for (std::size_t r = 0; r < rows<Ctx>; ++r)
      for (std::size_t t = T; t-- > 0;) {
        S* gt = g + (r * T + t) * N;
        const S* ht = h + (r * T + t) * N;
        for (std::size_t j = 0; j < N; ++j) gt[j] *= S(1) - ht[j] * ht[j];
        if (t > 0) {
          S* before = gt - N;  // g_{t-1} += z'_t U^T: the carry into the previous step
          for (std::size_t i = 0; i < N; ++i) {
            S carry = 0;
            for (std::size_t j = 0; j < N; ++j) carry += gt[j] * u[i * N + j];
            before[i] += carry;
          }
        }
      }
    if constexpr (needs_grad<B>) {
      S* db = c.template grad<B>();
      for (std::size_t i = 0; i < rows<Ctx> * T; ++i)
        for (std::size_t j = 0; j < N; ++j) db[j] += g[i * N + j];
    }
    if constexpr (needs_grad<U>) {
      S* du = c.template grad<U>();
      for (std::size_t r = 0; r < rows<Ctx>; ++r)  // h_{t-1}^T z'_t over t = 1 .. T-1: rows shifted by one step
        detail::fixed_gemm<true, false, true, N, N, T - 1>(h + r * T * N, g + r * T * N + N, du);
    }
    if constexpr (needs_grad<W>)
      detail::fixed_gemm<true, false, true, F, N, rows<Ctx> * T>(c.template value<X>(), g, c.template grad<W>());
    if constexpr (needs_grad<X>)
      detail::fixed_gemm<false, true, true, rows<Ctx> * T, F, N>(g, c.template value<W>(), c.template grad<X>());
  }
};

}  // namespace ctgraph
