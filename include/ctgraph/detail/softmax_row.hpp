// The softmax of one slice, forward and backward, with a stride between its elements:
// shared by the softmax node (any axis) and the affine node's softmax epilogue (rows).
//   y_i = exp(x_i - max x) / sum_j exp(x_j - max x)
//   dx_i = y_i (g_i - sum_j g_j y_j)
#pragma once

#include <algorithm>
#include <cstddef>

#include "ctgraph/detail/fast_math.hpp"

namespace ctgraph::detail {

/// y = softmax(x) over n elements `stride` apart; y may be x.
template <std::size_t N, std::size_t Stride = 1, class S>
inline void softmax_forward(const S* x, S* y) {
  S peak = x[0];
  for (std::size_t k = 1; k < N; ++k) peak = std::max(peak, x[k * Stride]);
  S total = 0;
  for (std::size_t k = 0; k < N; ++k) total += (y[k * Stride] = detail::exp(x[k * Stride] - peak));
  for (std::size_t k = 0; k < N; ++k) y[k * Stride] /= total;
}

/// dx (+)= y (g - sum g y) over n elements `stride` apart; dx may be g when not accumulating.
template <std::size_t N, std::size_t Stride, bool Accumulate, class S>
inline void softmax_backward(const S* y, const S* g, S* dx) {
  S dot = 0;
  for (std::size_t k = 0; k < N; ++k) dot += g[k * Stride] * y[k * Stride];
  for (std::size_t k = 0; k < N; ++k) {
    const S d = y[k * Stride] * (g[k * Stride] - dot);
    if constexpr (Accumulate)
      dx[k * Stride] += d;
    else
      dx[k * Stride] = d;
  }
}

}  // namespace ctgraph::detail
