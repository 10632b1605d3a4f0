// The softmax of one slice, forward and backward, with a stride between its elements:
// shared by the softmax node (any axis) and the affine node's softmax epilogue (rows).
//   y_i = exp(x_i - max x) / sum_j exp(x_j - max x)
//   dx_i = y_i (g_i - sum_j g_j y_j)
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "ctgraph/detail/fast_math.hpp"
#include "ctgraph/detail/simd_math.hpp"

namespace ctgraph::detail {

/// Rows of float this long are softmaxed in registers, a few vectors at a time.
template <class S, std::size_t N, std::size_t Stride>
inline constexpr bool softmax_in_registers = std::is_same_v<S, float> && Stride == 1 && N <= 4 * simd<float>::lanes;

/// A row of N floats as vectors: loaded whole, the last one masked (its missing lanes `fill`).
template <std::size_t N>
struct float_row {
  static constexpr std::size_t L = simd<float>::lanes, count = (N + L - 1) / L, last = N - (count - 1) * L;
  float_vector v[count];

  float_row(const float* p, float fill) {
    for (std::size_t i = 0; i + 1 < count; ++i) v[i] = simd<float>::load<L>(p + i * L);
    v[count - 1] = simd<float>::load<last>(p + (count - 1) * L);
    if constexpr (last != L) v[count - 1] = first_lanes<last>() ? v[count - 1] : float_vector{} + fill;
  }
  /// Vector i of the row at p (the last one masked, its missing lanes 0).
  static float_vector load(const float* p, std::size_t i) {
    return i + 1 < count ? simd<float>::load<L>(p + i * L) : simd<float>::load<last>(p + i * L);
  }
  void store(float* p) const {
    for (std::size_t i = 0; i + 1 < count; ++i) simd<float>::store<L>(p + i * L, v[i]);
    simd<float>::store<last>(p + (count - 1) * L, v[count - 1]);
  }
};

/// y = softmax(x) over n elements `stride` apart; y may be x.
template <std::size_t N, std::size_t Stride = 1, class S>
inline void softmax_forward(const S* x, S* y) {
  if constexpr (softmax_in_registers<S, N, Stride>) {
    float_row<N> row(x, -1e30f);  // lanes past the row: exp() of them is 0
    float_vector top = row.v[0];
    for (std::size_t i = 1; i < row.count; ++i) top = top > row.v[i] ? top : row.v[i];
    const float peak = lanes_max(top);
    float_vector total{};
    for (std::size_t i = 0; i < row.count; ++i) total += (row.v[i] = exp_vector(row.v[i] - peak));
    const float sum = lanes_sum(total);
    for (std::size_t i = 0; i < row.count; ++i) row.v[i] /= sum;
    row.store(y);
    return;
  }
  S peak = x[0];
  for (std::size_t k = 1; k < N; ++k) peak = std::max(peak, x[k * Stride]);
  S total = 0;
  for (std::size_t k = 0; k < N; ++k) total += (y[k * Stride] = detail::exp(x[k * Stride] - peak));
  for (std::size_t k = 0; k < N; ++k) y[k * Stride] /= total;
}

/// y = softmax(x) over each of Rows contiguous rows of N; y may be x. Rows short enough for
/// registers go G at a time, their steps interleaved: a row's softmax is a chain (max across the
/// lanes, exp, sum across the lanes, divide) whose folds across lanes wait on each other, and G
/// independent chains side by side keep the vector units busy while one waits.
template <std::size_t Rows, std::size_t N, class S>
inline void softmax_forward_rows(const S* x, S* y) {
  if constexpr (softmax_in_registers<S, N, 1>) {
    constexpr std::size_t G = 4, L = simd<float>::lanes, count = (N + L - 1) / L, last = N - (count - 1) * L;
    constexpr std::size_t grouped = Rows / G * G;
    for (std::size_t r = 0; r < grouped; r += G) {
      float_vector v[G][count];
      float peak[G], sum[G];
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        const float* p = x + (r + q) * N;
        for (std::size_t i = 0; i + 1 < count; ++i) v[q][i] = simd<float>::load<L>(p + i * L);
        v[q][count - 1] = simd<float>::load<last>(p + (count - 1) * L);
        if constexpr (last != L) v[q][count - 1] = first_lanes<last>() ? v[q][count - 1] : float_vector{} - 1e30f;
      }
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        float_vector top = v[q][0];
        for (std::size_t i = 1; i < count; ++i) top = top > v[q][i] ? top : v[q][i];
        peak[q] = lanes_max(top);
      }
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        float_vector total{};
        for (std::size_t i = 0; i < count; ++i) total += (v[q][i] = exp_vector(v[q][i] - peak[q]));
        sum[q] = lanes_sum(total);
      }
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        float* p = y + (r + q) * N;
        for (std::size_t i = 0; i < count; ++i) v[q][i] /= sum[q];
        for (std::size_t i = 0; i + 1 < count; ++i) simd<float>::store<L>(p + i * L, v[q][i]);
        simd<float>::store<last>(p + (count - 1) * L, v[q][count - 1]);
      }
    }
    for (std::size_t r = grouped; r < Rows; ++r) softmax_forward<N>(x + r * N, y + r * N);
  } else {
    for (std::size_t r = 0; r < Rows; ++r) softmax_forward<N>(x + r * N, y + r * N);
  }
}

/// dx (+)= y (g - sum g y) over n elements `stride` apart; dx may be g when not accumulating.
template <std::size_t N, std::size_t Stride, bool Accumulate, class S>
inline void softmax_backward(const S* y, const S* g, S* dx) {
  if constexpr (softmax_in_registers<S, N, Stride>) {
    const float_row<N> yr(y, 0.0f);
    float_row<N> gr(g, 0.0f);
    float_vector dots{};
    for (std::size_t i = 0; i < yr.count; ++i) dots += gr.v[i] * yr.v[i];
    const float dot = lanes_sum(dots);
    if constexpr (Accumulate) {
      float_row<N> d(dx, 0.0f);
      for (std::size_t i = 0; i < yr.count; ++i) d.v[i] += yr.v[i] * (gr.v[i] - dot);
      d.store(dx);
    } else {
      for (std::size_t i = 0; i < yr.count; ++i) gr.v[i] = yr.v[i] * (gr.v[i] - dot);
      gr.store(dx);
    }
    return;
  }
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

/// dx (+)= y (g - sum g y) over each of Rows contiguous rows of N, G rows at a time as
/// softmax_forward_rows; dx may be g when not accumulating.
template <std::size_t Rows, std::size_t N, bool Accumulate, class S>
inline void softmax_backward_rows(const S* y, const S* g, S* dx) {
  if constexpr (softmax_in_registers<S, N, 1>) {
    constexpr std::size_t G = 4, L = simd<float>::lanes, count = (N + L - 1) / L, last = N - (count - 1) * L;
    constexpr std::size_t grouped = Rows / G * G;
    for (std::size_t r = 0; r < grouped; r += G) {
      float_vector yv[G][count], gv[G][count];
      float dot[G];
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        float_vector dots{};
        for (std::size_t i = 0; i < count; ++i) {
          yv[q][i] = float_row<N>::load(y + (r + q) * N, i);
          gv[q][i] = float_row<N>::load(g + (r + q) * N, i);
          dots += gv[q][i] * yv[q][i];
        }
        dot[q] = lanes_sum(dots);
      }
#pragma GCC unroll 4
      for (std::size_t q = 0; q < G; ++q) {
        float* p = dx + (r + q) * N;
        for (std::size_t i = 0; i < count; ++i) {
          float_vector d;
          if constexpr (Accumulate) {
            d = float_row<N>::load(p, i);
            d += yv[q][i] * (gv[q][i] - dot[q]);  // as softmax_backward writes it: the same contraction
          } else {
            d = yv[q][i] * (gv[q][i] - dot[q]);
          }
          if (i + 1 < count)
            simd<float>::store<L>(p + i * L, d);
          else
            simd<float>::store<last>(p + i * L, d);
        }
      }
    }
    for (std::size_t r = grouped; r < Rows; ++r) softmax_backward<N, 1, Accumulate>(y + r * N, g + r * N, dx + r * N);
  } else {
    for (std::size_t r = 0; r < Rows; ++r) softmax_backward<N, 1, Accumulate>(y + r * N, g + r * N, dx + r * N);
  }
}

}  // namespace ctgraph::detail
