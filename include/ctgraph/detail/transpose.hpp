// out[Cols, Rows] = in[Rows, Cols]^T for sizes known at compile time: float in blocks of 8 x 8
// through three rounds of shuffles in 256-bit registers (the last columns in blocks narrower than 8,
// read with masks), the last rows, double and matrices under 64 values element by element.
// register_gemm transposes B this way for C = A B^T (a dense layer's dx = g W^T) at every step:
// attention_column's 64 x 32 and 32 x 32 weights, element by element, were 5% of its step.
#pragma once

#include <cstddef>
#include <type_traits>

#include "ctgraph/detail/simd.hpp"

namespace ctgraph::detail {

/// Rows [r0, r0 + BR) x columns [c0, c0 + BC) of in, transposed into out: a block of 8 x 8 (BR, BC
/// up to 8; an edge block's missing rows are zeros, its missing columns neither read nor written).
template <std::size_t Rows, std::size_t Cols, std::size_t BR = 8, std::size_t BC = 8>
inline void transpose_8x8(const float* __restrict in, float* __restrict out, std::size_t r0, std::size_t c0) {
  using lanes8 = simd<float, 32>;
  using v8 = lanes8::type;
  v8 r[8], t[8], u[8];
  for (std::size_t i = 0; i < 8; ++i) r[i] = i < BR ? lanes8::load<BC>(in + (r0 + i) * Cols + c0) : v8{};
  // Pairs of rows interleaved: t[2i] = (a0 b0 a1 b1 | a4 b4 a5 b5), t[2i+1] the other halves.
  for (std::size_t i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  // Quads: u[q] holds column q (and q + 4 in its upper half) of rows 0-3, u[q + 4] of rows 4-7.
  for (std::size_t h = 0; h < 8; h += 4) {
    u[h + 0] = __builtin_shufflevector(t[h], t[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 1] = __builtin_shufflevector(t[h], t[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[h + 2] = __builtin_shufflevector(t[h + 1], t[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[h + 3] = __builtin_shufflevector(t[h + 1], t[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (std::size_t q = 0; q < 4; ++q) {
    const v8 low = __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    const v8 high = __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    if (q < BC) lanes8::store<BR>(out + (c0 + q) * Rows + r0, low);
    if (q + 4 < BC) lanes8::store<BR>(out + (c0 + q + 4) * Rows + r0, high);
  }
}

/// out[c * Rows + r] = in[r * Cols + c].
template <std::size_t Rows, std::size_t Cols, class S>
inline void transpose(const S* __restrict in, S* __restrict out) {
  if constexpr (std::is_same_v<S, float> && vector_bytes >= 32 && Rows * Cols >= 64) {
    // Whole blocks of 8 rows, the last columns in blocks narrower than 8 (masked loads, whole stores).
    constexpr std::size_t full_rows = Rows / 8 * 8, full_cols = Cols / 8 * 8, ec = Cols - full_cols;
    for (std::size_t r0 = 0; r0 < full_rows; r0 += 8) {
      for (std::size_t c0 = 0; c0 < full_cols; c0 += 8) transpose_8x8<Rows, Cols>(in, out, r0, c0);
      if constexpr (ec > 0) transpose_8x8<Rows, Cols, 8, ec>(in, out, r0, full_cols);
    }
    // The last rows element by element: a block of them would store each column's few values with a
    // mask, and Zen 4's masked stores (and the loads that meet them) cost iris_attention's step 3%.
    for (std::size_t r = full_rows; r < Rows; ++r)
      for (std::size_t c = 0; c < Cols; ++c) out[c * Rows + r] = in[r * Cols + c];
  } else {
    for (std::size_t r = 0; r < Rows; ++r)
      for (std::size_t c = 0; c < Cols; ++c) out[c * Rows + r] = in[r * Cols + c];
  }
}

}  // namespace ctgraph::detail
