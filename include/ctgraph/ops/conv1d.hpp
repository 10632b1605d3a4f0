// 1-D convolution (cross-correlation, as Keras' Conv1D and PyTorch's conv1d), channels last:
//   y[t, f] = b[f] + sum_k sum_c x[t S + k - P, c] W[k, c, f]     (x outside [0, T) is 0)
//   x: [T, C]   W: [K, C, F]   b: [F]   y: [T', F]
//   valid: P = 0, T' = (T - K) / S + 1;  same: T' = ceil(T / S), P = half the padding (the odd one on the right)
// backward: db[f] += g[t, f];  dW[k, c, f] += x[t S + k - P, c] g[t, f];  dx[t S + k - P, c] += W[k, c, f] g[t, f]
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

/// How a convolution or pooling treats the sequence's ends (Keras' names).
enum class padding { valid, same };

namespace detail {
/// Output length and left padding of a window of Kernel sliding by Stride over Length.
template <std::size_t Length, std::size_t Kernel, std::size_t Stride, padding Pad>
struct window_1d {
  static constexpr std::size_t out = Pad == padding::valid ? (Length >= Kernel ? (Length - Kernel) / Stride + 1 : 0)
                                                           : (Length + Stride - 1) / Stride;
  static constexpr std::size_t total_pad =
      Pad == padding::valid || (out - 1) * Stride + Kernel <= Length ? 0 : (out - 1) * Stride + Kernel - Length;
  static constexpr std::size_t left = total_pad / 2;
};
}  // namespace detail

template <std::size_t Stride, padding Pad, node X, node W, node B>
struct conv1d_node {
  static constexpr std::size_t T = X::shape::dims[0], C = X::shape::dims[1];
  static constexpr std::size_t K = W::shape::dims[0], F = W::shape::dims[2];
  using window = detail::window_1d<T, K, Stride, Pad>;
  static constexpr std::size_t out = window::out, left = window::left;
  using shape = ctgraph::shape<out, F>;
  using children = type_list<X, W, B>;
  static_assert(!is_batched<W> && !is_batched<B>, "ctgraph: internal: a convolution's kernel and bias are parameters");
  static constexpr std::string_view type_name = "Conv1D";
  static constexpr std::size_t flops = 2 * out * K * C * F;
  static constexpr std::size_t backward_flops = (needs_grad<X> + 1) * 2 * out * K * C * F;
  template <class... Cs>
  using with_children = conv1d_node<Stride, Pad, Cs...>;

  template <class Ctx>
  static constexpr std::size_t rows = Ctx::template full<X>::size / (T * C);

  /// Where tap k of output step t reads, or T when that is padding.
  static constexpr std::size_t source(std::size_t t, std::size_t k) {
    const std::size_t p = t * Stride + k;
    return p < left || p - left >= T ? T : p - left;
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* w = c.template value<W>();
    const S* b = c.template value<B>();
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      const S* x = c.template value<X>() + r * T * C;
      S* y = c.template value<conv1d_node>() + r * out * F;
      for (std::size_t t = 0; t < out; ++t) {
        S* yt = y + t * F;
        for (std::size_t f = 0; f < F; ++f) yt[f] = b[f];
        for (std::size_t k = 0; k < K; ++k) {
          const std::size_t s = source(t, k);
          if (s == T) continue;
          for (std::size_t ch = 0; ch < C; ++ch) {
            const S xv = x[s * C + ch];
            const S* wk = w + (k * C + ch) * F;
            for (std::size_t f = 0; f < F; ++f) yt[f] += xv * wk[f];
          }
        }
      }
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* w = c.template value<W>();
    S* dw = c.template grad<W>();
    S* db = c.template grad<B>();
    for (std::size_t r = 0; r < rows<Ctx>; ++r) {
      const S* x = c.template value<X>() + r * T * C;
      const S* g = c.template grad<conv1d_node>() + r * out * F;
      for (std::size_t t = 0; t < out; ++t) {
        const S* gt = g + t * F;
        for (std::size_t f = 0; f < F; ++f) db[f] += gt[f];
        for (std::size_t k = 0; k < K; ++k) {
          const std::size_t s = source(t, k);
          if (s == T) continue;
          for (std::size_t ch = 0; ch < C; ++ch) {
            const S* wk = w + (k * C + ch) * F;
            S* dwk = dw + (k * C + ch) * F;
            const S xv = x[s * C + ch];
            S dx = 0;
            for (std::size_t f = 0; f < F; ++f) {
              dwk[f] += xv * gt[f];
              dx += wk[f] * gt[f];
            }
            if constexpr (needs_grad<X>) c.template grad<X>()[(r * T + s) * C + ch] += dx;
          }
        }
      }
    }
  }
};

}  // namespace ctgraph
