// Products whose result is one column, C[M, 1] = op(A) b: a dense layer of one unit (golden_feature's
// and attention_column's sigmoid outputs) and its kernel's gradient.
//   C = A b      A [M, K]: each c[m] the dot product of row m with b, along the row in vectors; G rows
//                side by side, their vectors folded across the lanes together (lane_sums.hpp)
//   C = A^T b    A [K, M]: C^T = b^T A is one row of a register-blocked product (register_gemm.hpp),
//                its vectors along m
// register_gemm would give C's single column a 128-bit vector with one useful lane of four and a tile
// of 6 rows: scalar speed (256x1x20 and 20x1x256 at 10-12 GFLOP/s, a tenth of the other products).
#pragma once

#include <bit>
#include <cstddef>

#include "ctgraph/detail/lane_sums.hpp"
#include "ctgraph/detail/register_gemm.hpp"

namespace ctgraph::detail {

/// c[m] (+)= (the dot product of row m of A [M, K] with b) (+ bias) for the G rows m0 <= m < m0 + G;
/// G a power of two up to a vector's lanes.
template <bool Accumulate, std::size_t M, std::size_t K, gemm_bias Bias, std::size_t G, class S>
inline void row_dots(const S* __restrict a, const S* __restrict b, S* __restrict c, std::size_t m0,
                     const S* __restrict bias) {
  using V = simd<S>;
  using sums = lane_sums<S>;
  constexpr std::size_t L = V::lanes, whole = K / L * L;
  typename sums::vector v[G];
#pragma GCC unroll 16
  for (std::size_t g = 0; g < G; ++g) {
    const S* row = a + (m0 + g) * K;
    v[g] = typename sums::vector{};
#pragma GCC unroll 8
    for (std::size_t k = 0; k < whole; k += L) v[g] += V::template load<L>(row + k) * V::template load<L>(b + k);
    if constexpr (whole < K) v[g] += V::template load<K - whole>(row + whole) * V::template load<K - whole>(b + whole);
  }
  if constexpr (Bias == gemm_bias::none) {
    sums::template totals<Accumulate>(v, c + m0);
  } else {
    S t[G];
    sums::template totals<false>(v, t);
    for (std::size_t g = 0; g < G; ++g)
      c[m0 + g] = (Accumulate ? c[m0 + g] + t[g] : t[g]) + bias[Bias == gemm_bias::per_row ? m0 + g : 0];
  }
}

/// Rows [Done, M) of C = A b: as many at a time as a vector has lanes, the rest in halving groups.
template <bool Accumulate, std::size_t M, std::size_t K, gemm_bias Bias, std::size_t Done = 0, class S>
inline void column_rows(const S* a, const S* b, S* c, const S* bias) {
  constexpr std::size_t L = simd<S>::lanes;
  if constexpr (Done < M) {
    constexpr std::size_t left = M - Done, G = std::bit_floor(left < L ? left : L), whole = left / G * G;
    for (std::size_t m0 = Done; m0 < Done + whole; m0 += G) row_dots<Accumulate, M, K, Bias, G>(a, b, c, m0, bias);
    column_rows<Accumulate, M, K, Bias, Done + whole>(a, b, c, bias);
  }
}

/// C[M, 1] = op(A) b (+ C when Accumulate) (+ bias[m] per row, or bias[0] per column).
template <bool TransposeA, bool Accumulate, std::size_t M, std::size_t K, gemm_bias Bias = gemm_bias::none, class S>
inline void column_gemm(const S* a, const S* b, S* c, const S* bias = nullptr) {
  if constexpr (TransposeA) {
    // C^T [1, M] = b^T [1, K] A [K, M]: C's bias per row is C^T's per column, and the other way round.
    constexpr gemm_bias transposed = Bias == gemm_bias::per_row      ? gemm_bias::per_column
                                     : Bias == gemm_bias::per_column ? gemm_bias::per_row
                                                                     : gemm_bias::none;
    register_gemm<false, false, Accumulate, 1, M, K, transposed>(b, a, c, bias);
  } else {
    column_rows<Accumulate, M, K, Bias>(a, b, c, bias);
  }
}

}  // namespace ctgraph::detail
