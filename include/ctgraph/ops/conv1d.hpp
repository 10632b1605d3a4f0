// 1-D convolution (cross-correlation, as Keras' Conv1D and PyTorch's conv1d), channels last:
//   y[t, f] = b[f] + sum_k sum_c x[t S + k - P, c] W[k, c, f]     (x outside [0, T) is 0)
//   x: [T, C]   W: [K, C, F]   b: [F]   y: [T', F]
//   valid: P = 0, T' = (T - K) / S + 1;  same: T' = ceil(T / S), P = half the padding (the odd one on the right)
// backward: db[f] += g[t, f];  dW[k, c, f] += x[t S + k - P, c] g[t, f];  dx[t S + k - P, c] += W[k, c, f] g[t, f]
// With stride 1 each tap k is a product: the output steps whose tap reads the sequence are a run of
// x's rows, [T_k, C] in place, times W[k] [C, F] (detail::fixed_gemm), and so are its gradients.
// The plain loops of the formulas above (any stride) ran text_classifier's convolution at 10
// GFLOP/s.
#pragma once

#include <utility>

#include "ctgraph/detail/small_gemm.hpp"
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

  /// Output steps [first, last) whose tap k reads the sequence rather than padding, with stride 1:
  /// one run, reading x's rows from first + k - left on.
  struct tap_steps {
    std::size_t first, last;
  };
  static constexpr tap_steps steps_of_tap(std::size_t k) {
    const std::size_t first = left > k ? left - k : 0;
    const std::size_t end = T + left > k ? T + left - k : 0;  // t + k - left < T
    const std::size_t last = end < out ? end : out;
    return {first, last > first ? last : first};
  }
  static constexpr bool as_products = Stride == 1;
  // Tap 0 reads every output step (valid padding): its product stores y with the bias added.
  static constexpr bool first_tap_stores = steps_of_tap(0).first == 0 && steps_of_tap(0).last == out;

  template <std::size_t Tap, class S>
  static void tap_forward(const S* x, const S* w, const S* b, S* y) {
    constexpr tap_steps steps = steps_of_tap(Tap);
    constexpr std::size_t M = steps.last - steps.first;
    if constexpr (M > 0) {
      const S* a = x + (steps.first + Tap - left) * C;
      if constexpr (Tap == 0 && first_tap_stores)
        detail::fixed_gemm<false, false, false, M, F, C, detail::gemm_bias::per_column>(a, w, y, b);
      else
        detail::fixed_gemm<false, false, true, M, F, C>(a, w + Tap * C * F, y + steps.first * F);
    }
  }
  template <std::size_t Tap, bool GradX, class S>
  static void tap_backward(const S* x, const S* w, const S* g, S* dw, S* dx) {
    constexpr tap_steps steps = steps_of_tap(Tap);
    constexpr std::size_t M = steps.last - steps.first;
    if constexpr (M > 0) {
      const std::size_t row = steps.first + Tap - left;
      detail::fixed_gemm<true, false, true, C, F, M>(x + row * C, g + steps.first * F, dw + Tap * C * F);
      if constexpr (GradX) detail::fixed_gemm<false, true, true, M, C, F>(g + steps.first * F, w + Tap * C * F, dx + row * C);
    }
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* w = c.template value<W>();
    const S* b = c.template value<B>();
    if constexpr (as_products) {
      for (std::size_t r = 0; r < rows<Ctx>; ++r) {
        const S* x = c.template value<X>() + r * T * C;
        S* y = c.template value<conv1d_node>() + r * out * F;
        if constexpr (!first_tap_stores)
          for (std::size_t t = 0; t < out; ++t)
            for (std::size_t f = 0; f < F; ++f) y[t * F + f] = b[f];
        [&]<std::size_t... Tap>(std::index_sequence<Tap...>) {
          (tap_forward<Tap>(x, w, b, y), ...);
        }(std::make_index_sequence<K>{});
      }
    } else {
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
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* w = c.template value<W>();
    S* dw = c.template grad<W>();
    S* db = c.template grad<B>();
    if constexpr (as_products) {
      for (std::size_t r = 0; r < rows<Ctx>; ++r) {
        const S* x = c.template value<X>() + r * T * C;
        const S* g = c.template grad<conv1d_node>() + r * out * F;
        for (std::size_t t = 0; t < out; ++t)
          for (std::size_t f = 0; f < F; ++f) db[f] += g[t * F + f];
        S* dx = nullptr;
        if constexpr (needs_grad<X>) dx = c.template grad<X>() + r * T * C;
        [&]<std::size_t... Tap>(std::index_sequence<Tap...>) {
          (tap_backward<Tap, needs_grad<X>>(x, w, g, dw, dx), ...);
        }(std::make_index_sequence<K>{});
      }
    } else {
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
  }
};

}  // namespace ctgraph
