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

/// A row of N floats as vectors: loaded whole, the last one masked (its missing lanes `fill`), and
/// stored whole, the last one in plain stores of its runs of lanes (simd::store).
template <std::size_t N>
struct float_row {
  static constexpr std::size_t L = simd<float>::lanes, count = (N + L - 1) / L, last = N - (count - 1) * L;
  float_vector v[count];

  void load(const float* p, float fill) {
    for (std::size_t i = 0; i + 1 < count; ++i) v[i] = simd<float>::load<L>(p + i * L);
    v[count - 1] = simd<float>::load<last>(p + (count - 1) * L);
    if constexpr (last != L) v[count - 1] = first_lanes<last>() ? v[count - 1] : float_vector{} + fill;
  }
  void store(float* p) const {
    for (std::size_t i = 0; i + 1 < count; ++i) simd<float>::store<L>(p + i * L, v[i]);
    simd<float>::store<last>(p + (count - 1) * L, v[count - 1]);
  }
};

/// Softmax of G consecutive rows of N floats in registers, their steps side by side: a row's
/// softmax is a chain (max across the lanes, exp, sum across the lanes, divide) whose folds across
/// lanes wait on each other, and G independent chains keep the vector units busy while one waits.
/// G = 1 is one row; each row's bits are the same whatever G.
template <std::size_t G, std::size_t N>
inline void softmax_forward_group(const float* x, float* y) {
  float_row<N> row[G];
  float_vector peak[G], sum[G];  // each row's, in every lane
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) row[q].load(x + q * N, -1e30f);  // lanes past the row: exp() of them is 0
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) {
    peak[q] = row[q].v[0];
    for (std::size_t i = 1; i < row[q].count; ++i) peak[q] = peak[q] > row[q].v[i] ? peak[q] : row[q].v[i];
  }
  fold_rows<G>(peak, [](float_vector a, float_vector b) { return a > b ? a : b; });
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) {
    sum[q] = float_vector{};
    constexpr std::size_t last = float_row<N>::count - 1;
    for (std::size_t i = 0; i < last; ++i) sum[q] += (row[q].v[i] = exp_vector<true>(row[q].v[i] - peak[q]));
    sum[q] += (row[q].v[last] = exp_first_lanes<float_row<N>::last, true>(row[q].v[last] - peak[q]));
  }
  fold_rows<G>(sum, [](float_vector a, float_vector b) { return a + b; });
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) {
    for (std::size_t i = 0; i < row[q].count; ++i) row[q].v[i] /= sum[q];
    row[q].store(y + q * N);
  }
}

/// dx (+)= y (g - sum g y) over G consecutive rows of N floats, side by side as softmax_forward_group.
template <std::size_t G, std::size_t N, bool Accumulate>
inline void softmax_backward_group(const float* y, const float* g, float* dx) {
  float_row<N> yr[G], gr[G];
  float_vector dot[G];  // each row's, in every lane
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) {
    yr[q].load(y + q * N, 0.0f);
    gr[q].load(g + q * N, 0.0f);
    dot[q] = float_vector{};
    for (std::size_t i = 0; i < yr[q].count; ++i) dot[q] += gr[q].v[i] * yr[q].v[i];
  }
  fold_rows<G>(dot, [](float_vector a, float_vector b) { return a + b; });
#pragma GCC unroll 4
  for (std::size_t q = 0; q < G; ++q) {
    if constexpr (Accumulate) {
      float_row<N> d;
      d.load(dx + q * N, 0.0f);
      for (std::size_t i = 0; i < yr[q].count; ++i) d.v[i] += yr[q].v[i] * (gr[q].v[i] - dot[q]);
      d.store(dx + q * N);
    } else {
      for (std::size_t i = 0; i < yr[q].count; ++i) gr[q].v[i] = yr[q].v[i] * (gr[q].v[i] - dot[q]);
      gr[q].store(dx + q * N);
    }
  }
}

/// y = softmax(x) over n elements `stride` apart; y may be x.
template <std::size_t N, std::size_t Stride = 1, class S>
inline void softmax_forward(const S* x, S* y) {
  if constexpr (softmax_in_registers<S, N, Stride>) {
    softmax_forward_group<1, N>(x, y);
  } else {
    S peak = x[0];
    for (std::size_t k = 1; k < N; ++k) peak = std::max(peak, x[k * Stride]);
    S total = 0;
    for (std::size_t k = 0; k < N; ++k) total += (y[k * Stride] = detail::exp(x[k * Stride] - peak));
    for (std::size_t k = 0; k < N; ++k) y[k * Stride] /= total;
  }
}

/// dx (+)= y (g - sum g y) over n elements `stride` apart; dx may be g when not accumulating.
template <std::size_t N, std::size_t Stride, bool Accumulate, class S>
inline void softmax_backward(const S* y, const S* g, S* dx) {
  if constexpr (softmax_in_registers<S, N, Stride>) {
    softmax_backward_group<1, N, Accumulate>(y, g, dx);
  } else {
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
}

/// Rows of a block short enough for registers go this many at a time (softmax_forward_group).
inline constexpr std::size_t softmax_rows_at_once = 4;

/// y = softmax(x) over each of Rows contiguous rows of N; y may be x.
template <std::size_t Rows, std::size_t N, class S>
inline void softmax_forward_rows(const S* x, S* y) {
  constexpr std::size_t G = softmax_in_registers<S, N, 1> ? softmax_rows_at_once : 1, grouped = Rows / G * G;
  for (std::size_t r = 0; r < grouped; r += G) {
    if constexpr (G > 1)
      softmax_forward_group<G, N>(x + r * N, y + r * N);
    else
      softmax_forward<N>(x + r * N, y + r * N);
  }
  for (std::size_t r = grouped; r < Rows; ++r) softmax_forward<N>(x + r * N, y + r * N);
}

/// dx (+)= y (g - sum g y) over each of Rows contiguous rows of N; dx may be g when not accumulating.
template <std::size_t Rows, std::size_t N, bool Accumulate, class S>
inline void softmax_backward_rows(const S* y, const S* g, S* dx) {
  constexpr std::size_t G = softmax_in_registers<S, N, 1> ? softmax_rows_at_once : 1, grouped = Rows / G * G;
  for (std::size_t r = 0; r < grouped; r += G) {
    if constexpr (G > 1)
      softmax_backward_group<G, N, Accumulate>(y + r * N, g + r * N, dx + r * N);
    else
      softmax_backward<N, 1, Accumulate>(y + r * N, g + r * N, dx + r * N);
  }
  for (std::size_t r = grouped; r < Rows; ++r) softmax_backward<N, 1, Accumulate>(y + r * N, g + r * N, dx + r * N);
}

}  // namespace ctgraph::detail
