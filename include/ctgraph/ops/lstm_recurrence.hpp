// An LSTM's recurrence (Keras, PyTorch nn.LSTM) over precomputed inputs, from h_{-1} = c_{-1} = 0:
//   a: [T, 4N] = x_t kernel + bias, every step at once     R: [N, 4N]
//   (i, f, g, o) = (sigmoid, sigmoid, tanh, sigmoid)(a_t + h_{t-1} R)
//   c_t = f c_{t-1} + i g     h_t = o tanh(c_t)     y = h_{T-1} [N], or (h_0 .. h_{T-1}) [T, N] with Sequences
// backward, t = T-1 down to 0, dh = g_t + dh from step t+1, dc the same through c:
//   dc += dh o (1 - tanh(c_t)^2)
//   dz_t = (dc g i (1 - i), dc c_{t-1} f (1 - f), dc i (1 - g^2), dh tanh(c_t) o (1 - o))
//   da_t = dz_t     dh_{t-1} = dz_t R^T     dc_{t-1} = dc f     dR = sum_t h_{t-1}^T dz_t (after the loop)
// What the generic scan computes from lstm_cell (nn/lstm.hpp), in one node: each step is one
// product for the batch and one pass of vectors over the gates (tests/ops/gru_lstm_test
// checks the two agree, values and gradients). R^T is formed once per backward pass.
#pragma once

#include <algorithm>

#include "ctgraph/detail/gate_math.hpp"
#include "ctgraph/detail/plan.hpp"
#include "ctgraph/detail/small_gemm.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

template <node A, node R, bool Sequences>
struct lstm_node {
  static constexpr std::size_t T = A::shape::dims[0], N = R::shape::dims[0], G = 4 * N;
  using shape = std::conditional_t<Sequences, ctgraph::shape<T, N>, ctgraph::shape<N>>;
  using children = type_list<A, R>;
  static constexpr std::string_view type_name = "LSTM";
  static constexpr std::size_t flops = T * (2 * N * G + 9 * N);
  static constexpr std::size_t backward_flops = T * (4 * N * G + 20 * N);
  template <class... C>
  using with_children = lstm_node<C..., Sequences>;

  // Past the value: every step's h and c, [T + 1][batch][N] each (zeros first), its gates (i, f, g, o)
  // [T][batch][4N] and tanh(c_t) [T][batch][N]; for the backward pass, R^T, every step's dz and the
  // carries dh, dc. All of it is written before it is read, so none of it is in the gradient region,
  // which every step zeroes.
  template <std::size_t Batch>
  struct layout {
    static constexpr std::size_t states = 0, cells = states + detail::padded((T + 1) * Batch * N),
                                 gates = cells + detail::padded((T + 1) * Batch * N),
                                 tanh_cells = gates + detail::padded(T * Batch * G),
                                 transposed = tanh_cells + detail::padded(T * Batch * N),
                                 dz = transposed + detail::padded(G * N), carry_h = dz + detail::padded(T * Batch * G),
                                 carry_c = carry_h + detail::padded(Batch * N),
                                 values = carry_c + detail::padded(Batch * N);
  };
  template <std::size_t Batch, class Scalar>
  struct workspace {
    static constexpr std::size_t values = layout<Batch>::values;
  };
  template <class Ctx>
  static constexpr std::size_t own = detail::padded(Ctx::template full<lstm_node>::size);

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    using V = detail::gate_lanes<S>;
    using L = layout<Ctx::batch>;
    constexpr std::size_t B = Ctx::batch;
    static_assert(is_batched<A>, "ctgraph: internal: an LSTM's inputs are per sample");
    S* y = c.template value<lstm_node>();
    S* hs = y + own<Ctx> + L::states;
    S* cs = y + own<Ctx> + L::cells;
    S* gates = y + own<Ctx> + L::gates;
    S* tcs = y + own<Ctx> + L::tanh_cells;
    const S* a = c.template value<A>();
    const S* r = c.template value<R>();
    std::fill_n(hs, B * N, S(0));
    std::fill_n(cs, B * N, S(0));
    for (std::size_t t = 0; t < T; ++t) {
      S* zt = gates + t * B * G;
      for (std::size_t s = 0; s < B; ++s) std::copy_n(a + (s * T + t) * G, G, zt + s * G);
      if (t > 0) detail::fixed_gemm<false, false, true, B, G, N>(hs + t * B * N, r, zt);
      for (std::size_t s = 0; s < B; ++s) {
        S* zs = zt + s * G;
        const S* c0 = cs + (t * B + s) * N;
        S* c1 = cs + ((t + 1) * B + s) * N;
        S* tc = tcs + (t * B + s) * N;
        S* h = hs + ((t + 1) * B + s) * N;
        detail::for_each_chunk<S, N>([&]<std::size_t C>(std::size_t j) {
          const auto i = V::sigmoid(V::template load<C>(zs + j));
          const auto f = V::sigmoid(V::template load<C>(zs + N + j));
          const auto gg = V::tanh(V::template load<C>(zs + 2 * N + j));
          const auto o = V::sigmoid(V::template load<C>(zs + 3 * N + j));
          const auto cell = f * V::template load<C>(c0 + j) + i * gg;
          const auto tcell = V::tanh(cell);
          V::template store<C>(zs + j, i);
          V::template store<C>(zs + N + j, f);
          V::template store<C>(zs + 2 * N + j, gg);
          V::template store<C>(zs + 3 * N + j, o);
          V::template store<C>(c1 + j, cell);
          V::template store<C>(tc + j, tcell);
          V::template store<C>(h + j, o * tcell);
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
    const S* y = c.template value<lstm_node>();
    const S* hs = y + own<Ctx> + L::states;
    const S* cs = y + own<Ctx> + L::cells;
    const S* gates = y + own<Ctx> + L::gates;
    const S* tcs = y + own<Ctx> + L::tanh_cells;
    const S* g = c.template grad<lstm_node>();
    S* rt = c.template value<lstm_node>() + own<Ctx> + L::transposed;
    S* dz = c.template value<lstm_node>() + own<Ctx> + L::dz;
    S* carry_h = c.template value<lstm_node>() + own<Ctx> + L::carry_h;
    S* carry_c = c.template value<lstm_node>() + own<Ctx> + L::carry_c;
    detail::transpose_into<N, G>(c.template value<R>(), rt);
    std::fill_n(carry_h, B * N, S(0));
    std::fill_n(carry_c, B * N, S(0));
    for (std::size_t t = T; t-- > 0;) {
      S* dzt = dz + t * B * G;
      for (std::size_t s = 0; s < B; ++s) {
        const S* gs = gates + (t * B + s) * G;
        const S* c0 = cs + (t * B + s) * N;
        const S* tc = tcs + (t * B + s) * N;
        const S* gt = Sequences ? g + (s * T + t) * N : g + s * N;
        const bool reads_g = Sequences || t + 1 == T;
        S* dh = carry_h + s * N;
        S* dc = carry_c + s * N;
        S* dzs = dzt + s * G;
        S* da = needs_grad<A> ? c.template grad<A>() + (s * T + t) * G : nullptr;
        detail::for_each_chunk<S, N>([&]<std::size_t C>(std::size_t j) {
          auto d = V::template load<C>(dh + j);
          if (reads_g) d = d + V::template load<C>(gt + j);
          const auto i = V::template load<C>(gs + j);
          const auto f = V::template load<C>(gs + N + j);
          const auto gg = V::template load<C>(gs + 2 * N + j);
          const auto o = V::template load<C>(gs + 3 * N + j);
          const auto tcell = V::template load<C>(tc + j);
          const auto dcell = V::template load<C>(dc + j) + d * o * (S(1) - tcell * tcell);
          const auto di = dcell * gg * i * (S(1) - i);
          const auto df = dcell * V::template load<C>(c0 + j) * f * (S(1) - f);
          const auto dg = dcell * i * (S(1) - gg * gg);
          const auto dout = d * tcell * o * (S(1) - o);
          V::template store<C>(dc + j, dcell * f);
          V::template store<C>(dzs + j, di);
          V::template store<C>(dzs + N + j, df);
          V::template store<C>(dzs + 2 * N + j, dg);
          V::template store<C>(dzs + 3 * N + j, dout);
          if constexpr (needs_grad<A>) {
            V::template store<C>(da + j, V::template load<C>(da + j) + di);
            V::template store<C>(da + N + j, V::template load<C>(da + N + j) + df);
            V::template store<C>(da + 2 * N + j, V::template load<C>(da + 2 * N + j) + dg);
            V::template store<C>(da + 3 * N + j, V::template load<C>(da + 3 * N + j) + dout);
          }
        });
      }
      if (t > 0) detail::fixed_gemm<false, false, false, B, N, G>(dzt, rt, carry_h);
    }
    if constexpr (needs_grad<R>)  // h_{t-1}^T dz_t over t = 1 .. T-1 (h_{-1} = 0): rows of both line up
      if constexpr (T > 1) detail::fixed_gemm<true, false, true, N, G, (T - 1) * B>(hs + B * N, dz + B * G, c.template grad<R>());
  }
};

}  // namespace ctgraph
