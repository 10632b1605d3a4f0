// h_t = tanh(x_t W + h_{t-1} U + b), h_{-1} = 0, for t = 0 .. T-1 (Keras' SimpleRNN cell)
//   x: [T, F]   W: [F, N]   U: [N, N]   b: [N]   y = (h_0 .. h_{T-1}): [T, N]
// backward, through time from t = T-1 down to 0:
//   z'_t = (1 - h_t^2) (g_t + z'_{t+1} U^T)
//   db = sum_t z'_t    dW = sum_t x_t^T z'_t    dU = sum_{t>0} h_{t-1}^T z'_t    dx_t = z'_t W^T
// T and N are compile-time constants, so both time loops have fixed bounds.
#pragma once

#include <cmath>
#include <type_traits>

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

  // A state this narrow (fib: N = 2, F = 1) leaves the backward pass one chain of latency through
  // time. There z'_{t-1} is taken as a g + z'_t (a U^T), N FMAs deep (the wide form below,
  // a (g + z'_t U^T), puts an add and a product more on the chain), and the sums for db, dU and
  // dW run in the same loop beside the chain, in registers. Wide states sum by products after it.
  static constexpr bool narrow = N * (N + F + 1) <= 24;

  template <class Ctx, class S>
  static void backward_narrow(const Ctx& c, const S* h, const S* u, S* g) {
    [[maybe_unused]] const S* x = c.template value<X>();
    S db[N] = {}, du[N][N] = {}, dw[F][N] = {};
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      S next[N] = {};  // z'_{t+1}, kept in registers as the forward state
      for (std::size_t t = T; t-- > 0;) {
        S* gt = g + (r * T + t) * N;
        const S* ht = h + (r * T + t) * N;
        S zt[N];
        for (std::size_t i = 0; i < N; ++i) {
          const S a = S(1) - ht[i] * ht[i];
          // fma with next on the chain: as z += next (a u), the compiler fused a g instead and left
          // next (a u) a product before it, one multiply (3 cycles) more a step on the chain.
          S z = a * gt[i];
          for (std::size_t j = 0; j < N; ++j) z = std::fma(next[j], a * u[i * N + j], z);
          zt[i] = z;
        }
        for (std::size_t i = 0; i < N; ++i) {
          gt[i] = next[i] = zt[i];
          db[i] += zt[i];
          if constexpr (needs_grad<W>)
            for (std::size_t f = 0; f < F; ++f) dw[f][i] += x[(r * T + t) * F + f] * zt[i];
          if (t > 0)
            for (std::size_t k = 0; k < N; ++k) du[k][i] += h[(r * T + t - 1) * N + k] * zt[i];
        }
      }
    }
    if constexpr (needs_grad<B>)
      for (std::size_t i = 0; i < N; ++i) c.template grad<B>()[i] += db[i];
    if constexpr (needs_grad<U>)
      for (std::size_t k = 0; k < N; ++k)
        for (std::size_t i = 0; i < N; ++i) c.template grad<U>()[k * N + i] += du[k][i];
    if constexpr (needs_grad<W>)
      for (std::size_t f = 0; f < F; ++f)
        for (std::size_t i = 0; i < N; ++i) c.template grad<W>()[f * N + i] += dw[f][i];
  }

  template <class Ctx, class S>
  static void backward_wide(const Ctx& c, const S* h, const S* u, S* g) {
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      S carry[N] = {};  // z'_{t+1} U^T, the carry into step t
      for (std::size_t t = T; t-- > 0;) {
        S* gt = g + (r * T + t) * N;
        const S* ht = h + (r * T + t) * N;
        S zt[N];
        for (std::size_t j = 0; j < N; ++j) gt[j] = zt[j] = (gt[j] + carry[j]) * (S(1) - ht[j] * ht[j]);
        for (std::size_t i = 0; i < N; ++i) {
          carry[i] = 0;
          for (std::size_t j = 0; j < N; ++j) carry[i] += zt[j] * u[i * N + j];
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
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    S* h = c.template value<simple_rnn_node>();
    const S* u = c.template value<U>();
    const S* b = c.template value<B>();
    // Every step's input projection x_t W in one product, then the recurrence in place. The state
    // stays in registers from step to step (N is a constant): only tanh and h U are on the chain.
    detail::fixed_gemm<false, false, false, rows<Ctx> * T, N, F>(c.template value<X>(), c.template value<W>(), h);
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      // h = ratio poly: in float fast_math.hpp's tanh keeps its two factors apart, so that z takes
      // ratio (poly U), poly U ready while the division for ratio runs and off the chain; in
      // double (std::tanh) ratio is h and poly 1.
      S ratio[N] = {}, poly[N] = {};
      for (std::size_t t = 0; t < T; ++t) {
        S* ht = h + (r * T + t) * N;
        S z[N];
        for (std::size_t j = 0; j < N; ++j) {
          z[j] = ht[j] + b[j];
          if (t > 0)
            for (std::size_t i = 0; i < N; ++i) z[j] += ratio[i] * (poly[i] * u[i * N + j]);
        }
        for (std::size_t j = 0; j < N; ++j) {
          if constexpr (std::is_same_v<S, float>) {
            const auto f = detail::tanh_rational_factors(z[j]);
            ratio[j] = f.ratio, poly[j] = f.poly;
            ht[j] = f.ratio * f.poly;
          } else {
            ht[j] = ratio[j] = detail::tanh(z[j]);
            poly[j] = 1;
          }
        }
      }
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* h = c.template value<simple_rnn_node>();
    const S* u = c.template value<U>();
    S* g = c.template grad<simple_rnn_node>();  // becomes z' in place, step by step from the last
    if constexpr (narrow)
      backward_narrow(c, h, u, g);
    else
      backward_wide(c, h, u, g);
    if constexpr (needs_grad<X>)
      detail::fixed_gemm<false, true, true, rows<Ctx> * T, F, N>(g, c.template value<W>(), c.template grad<X>());
  }
};

}  // namespace ctgraph
