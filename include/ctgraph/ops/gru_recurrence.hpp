// A GRU's recurrence (Keras reset_after=True, PyTorch nn.GRU) over precomputed inputs, from h_{-1} = 0:
//   xw: [T, 3N] = x_t kernel, every step at once     R: [N, 3N]   bias: [2, 3N]
//   a_t = xw_t + bias[0]     b_t = h_{t-1} R + bias[1]
//   z = sigmoid(a_z + b_z)   r = sigmoid(a_r + b_r)   n = tanh(a_h + r b_h)   h_t = n + z (h_{t-1} - n)
//   y = h_{T-1} [N], or (h_0 .. h_{T-1}) [T, N] with Sequences
// backward, t = T-1 down to 0, dh = g_t + what step t+1 sent back:
//   dn' = dh (1 - z)(1 - n^2)   dz' = dh (h_{t-1} - n) z (1 - z)   dr' = dn' b_h r (1 - r)
//   da_t = (dz', dr', dn')      db_t = (dz', dr', dn' r)      dh_{t-1} = dh z + db_t R^T
//   dR = sum_t h_{t-1}^T db_t (one product after the loop)   dbias[0] = sum_t da_t   dbias[1] = sum_t db_t
// What the generic scan computes from gru_cell (nn/gru.hpp), in one node: each step is one
// product for the batch and one pass of vectors over the gates (tests/ops/gru_lstm_test
// checks the two agree, values and gradients). R^T is formed once per backward pass.
#pragma once

#include <algorithm>

#include "ctgraph/detail/gate_math.hpp"
#include "ctgraph/detail/plan.hpp"
#include "ctgraph/detail/small_gemm.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <node A, node R, node Bias, bool Sequences>
struct gru_node {
  static constexpr std::size_t T = A::shape::dims[0], N = R::shape::dims[0], G = 3 * N;
  using shape = std::conditional_t<Sequences, ctgraph::shape<T, N>, ctgraph::shape<N>>;
  using children = type_list<A, R, Bias>;
  static constexpr std::string_view type_name = "GRU";
  static constexpr std::size_t flops = T * (2 * N * G + 14 * N);
  static constexpr std::size_t backward_flops = T * (4 * N * G + 4 * G + 20 * N);
  template <class... C>
  using with_children = gru_node<C..., Sequences>;

  // Past the value: every step's state, [T + 1][batch][N] (h_{-1} = 0 first), its gates (z, r, n, b_h)
  // [T][batch][4N], and one step's product h R; for the backward pass, R^T, every step's db and the
  // carry dh. All of it is written before it is read, so none of it is in the gradient region, which
  // every step zeroes.
  template <std::size_t Batch>
  struct layout {
    static constexpr std::size_t states = 0, gates = states + detail::padded((T + 1) * Batch * N),
                                 product = gates + detail::padded(T * Batch * 4 * N),
                                 transposed = product + detail::padded(Batch * G),
                                 db = transposed + detail::padded(G * N), carry = db + detail::padded(T * Batch * G),
                                 values = carry + detail::padded(Batch * N);
  };
  template <std::size_t Batch, class Scalar>
  struct workspace {
    static constexpr std::size_t values = layout<Batch>::values;
  };
  template <class Ctx>
  static constexpr std::size_t own = detail::padded(Ctx::template full<gru_node>::size);

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using V = detail::gate_lanes<S>;
    using L = layout<Ctx::batch>;
    constexpr std::size_t B = Ctx::batch;
    static_assert(is_batched<A>, "ctgraph: internal: a GRU's inputs are per sample");
    S* y = c.template value<gru_node>();
    S* hs = y + own<Ctx> + L::states;
    S* gates = y + own<Ctx> + L::gates;
    S* b = y + own<Ctx> + L::product;
    const S* a = c.template value<A>();
    const S* r = c.template value<R>();
    const S* bias0 = c.template value<Bias>();
    const S* bias = bias0 + G;
    std::fill_n(hs, B * N, S(0));
    for (std::size_t t = 0; t < T; ++t) {
      const S* hp = hs + t * B * N;
      if (t == 0)
        std::fill_n(b, B * G, S(0));
      else
        detail::fixed_gemm<false, false, false, B, G, N>(hp, r, b);
      for (std::size_t s = 0; s < B; ++s) {
        const S* as = a + (s * T + t) * G;
        const S* bs = b + s * G;
        const S* h0 = hp + s * N;
        S* g = gates + (t * B + s) * 4 * N;
        S* h = hs + ((t + 1) * B + s) * N;
        detail::for_each_chunk<S, N>([&]<std::size_t C>(std::size_t j) {
          const auto bz = V::template load<C>(bs + j) + V::template load<C>(bias + j);
          const auto br = V::template load<C>(bs + N + j) + V::template load<C>(bias + N + j);
          const auto bh = V::template load<C>(bs + 2 * N + j) + V::template load<C>(bias + 2 * N + j);
          const auto az = V::template load<C>(as + j) + V::template load<C>(bias0 + j);
          const auto ar = V::template load<C>(as + N + j) + V::template load<C>(bias0 + N + j);
          const auto ah = V::template load<C>(as + 2 * N + j) + V::template load<C>(bias0 + 2 * N + j);
          const auto z = V::sigmoid(az + bz);
          const auto rr = V::sigmoid(ar + br);
          const auto n = V::tanh(ah + rr * bh);
          V::template store<C>(g + j, z);
          V::template store<C>(g + N + j, rr);
          V::template store<C>(g + 2 * N + j, n);
          V::template store<C>(g + 3 * N + j, bh);
          V::template store<C>(h + j, n + z * (V::template load<C>(h0 + j) - n));
        });
      }
    }
    for (std::size_t s = 0; s < B; ++s)
      if constexpr (Sequences)
        for (std::size_t t = 0; t < T; ++t) std::copy_n(hs + ((t + 1) * B + s) * N, N, y + (s * T + t) * N);
      else
        std::copy_n(hs + (T * B + s) * N, N, y + s * N);
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using V = detail::gate_lanes<S>;
    using L = layout<Ctx::batch>;
    constexpr std::size_t B = Ctx::batch;
    const S* y = c.template value<gru_node>();
    const S* hs = y + own<Ctx> + L::states;
    const S* gates = y + own<Ctx> + L::gates;
    const S* g = c.template grad<gru_node>();
    S* rt = c.template value<gru_node>() + own<Ctx> + L::transposed;
    S* db = c.template value<gru_node>() + own<Ctx> + L::db;
    S* carry = c.template value<gru_node>() + own<Ctx> + L::carry;
    S* dbias0 = needs_grad<Bias> ? c.template grad<Bias>() : nullptr;
    detail::transpose_into<N, G>(c.template value<R>(), rt);
    std::fill_n(carry, B * N, S(0));
    for (std::size_t t = T; t-- > 0;) {
      const S* hp = hs + t * B * N;
      S* dbt = db + t * B * G;
      for (std::size_t s = 0; s < B; ++s) {
        const S* gs = gates + (t * B + s) * 4 * N;
        const S* h0 = hp + s * N;
        const S* gt = Sequences ? g + (s * T + t) * N : g + s * N;
        const bool reads_g = Sequences || t + 1 == T;
        S* dh = carry + s * N;
        S* da = needs_grad<A> ? c.template grad<A>() + (s * T + t) * G : nullptr;
        S* dbs = dbt + s * G;
        detail::for_each_chunk<S, N>([&]<std::size_t C>(std::size_t j) {
          auto d = V::template load<C>(dh + j);
          if (reads_g) d = d + V::template load<C>(gt + j);
          const auto z = V::template load<C>(gs + j);
          const auto rr = V::template load<C>(gs + N + j);
          const auto n = V::template load<C>(gs + 2 * N + j);
          const auto bh = V::template load<C>(gs + 3 * N + j);
          const auto dn = d * (S(1) - z) * (S(1) - n * n);
          const auto dz = d * (V::template load<C>(h0 + j) - n) * z * (S(1) - z);
          const auto dr = dn * bh * rr * (S(1) - rr);
          V::template store<C>(dh + j, d * z);
          V::template store<C>(dbs + j, dz);
          V::template store<C>(dbs + N + j, dr);
          V::template store<C>(dbs + 2 * N + j, dn * rr);
          if constexpr (needs_grad<A>) {
            V::template store<C>(da + j, V::template load<C>(da + j) + dz);
            V::template store<C>(da + N + j, V::template load<C>(da + N + j) + dr);
            V::template store<C>(da + 2 * N + j, V::template load<C>(da + 2 * N + j) + dn);
          }
          if constexpr (needs_grad<Bias>) {
            V::template store<C>(dbias0 + j, V::template load<C>(dbias0 + j) + dz);
            V::template store<C>(dbias0 + N + j, V::template load<C>(dbias0 + N + j) + dr);
            V::template store<C>(dbias0 + 2 * N + j, V::template load<C>(dbias0 + 2 * N + j) + dn);
          }
        });
      }
      if (t > 0) detail::fixed_gemm<false, false, true, B, N, G>(dbt, rt, carry);
    }
    if constexpr (needs_grad<R>)  // h_{t-1}^T db_t over t = 1 .. T-1 (h_{-1} = 0): rows of both line up
      if constexpr (T > 1) detail::fixed_gemm<true, false, true, N, G, (T - 1) * B>(hs + B * N, db + B * G, c.template grad<R>());
    if constexpr (needs_grad<Bias>) {
      S* dbias = dbias0 + G;
      for (std::size_t i = 0; i < T * B; ++i)
        for (std::size_t j = 0; j < G; ++j) dbias[j] += db[i * G + j];
    }
  }
};

}  // namespace ctgraph
