// Loops over a block of R rows of N values (row-major), written so that the compiler keeps a row's
// pattern in registers: the pointers are __restrict (a bias or a sum that might alias the block is
// read again, or waited on, at every row). Measured on digits_attention's step (rows of 6, 3 and 1
// values): 1,110 ns to 775 ns with both.
//
// A column sum taken a row at a time is a chain of short partial vectors when a row is narrow (6
// of a vector's 16 lanes); it is read instead in periods of P = lcm(N, lanes) values (P / N whole
// rows, a run of full vectors), summed lane by lane, and the period's lanes folded into the
// columns at the end.
#pragma once

#include <array>
#include <cstddef>
#include <numeric>

#include "ctgraph/detail/simd.hpp"

namespace ctgraph::detail {

/// The period a block of rows of N values is summed in: lcm(N, lanes), or 0 when a row is wide
/// enough (or its period too long) that row by row vectorizes as well.
template <class S, std::size_t N>
inline constexpr std::size_t row_period = [] {
  constexpr std::size_t lanes = simd<S>::lanes;
  constexpr std::size_t p = std::lcm(N, lanes);
  return N < 2 * lanes && p <= 8 * lanes ? p : std::size_t{0};
}();

/// sum[j] += the sum over the R rows of g[r][j] (sum[j] = it, when not Accumulate). The order of the
/// additions is fixed by R and N alone: the same bits for the same block, whatever calls it.
template <std::size_t R, std::size_t N, bool Accumulate = true, class S>
inline void add_column_sums(const S* __restrict g, S* __restrict sum) {
  constexpr std::size_t P = row_period<S, N>;
  if constexpr (P == 0 || R * N < P) {  // rows wide enough, or less than one period (a batch of 1)
    std::array<S, N> acc{};
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t j = 0; j < N; ++j) acc[j] += g[r * N + j];
    for (std::size_t j = 0; j < N; ++j) sum[j] = Accumulate ? sum[j] + acc[j] : acc[j];
  } else {
    constexpr std::size_t total = R * N, whole = total / P * P;
    std::array<S, P> acc{};
    for (std::size_t at = 0; at < whole; at += P)
      for (std::size_t i = 0; i < P; ++i) acc[i] += g[at + i];
    for (std::size_t i = 0; i < total - whole; ++i) acc[i] += g[whole + i];
    // The period's P / N rows folded into the columns a row at a time. (folded[i % N] over i
    // took longer than the sums themselves: not unrolled, a division per value; halving the period
    // in vector windows was slower too, its loads straddling the stores before them.)
    std::array<S, N> folded{};
#pragma GCC unroll 16
    for (std::size_t r = 0; r < P / N; ++r)
#pragma GCC unroll 32
      for (std::size_t j = 0; j < N; ++j) folded[j] += acc[r * N + j];
    for (std::size_t j = 0; j < N; ++j) sum[j] = Accumulate ? sum[j] + folded[j] : folded[j];
  }
}

/// y[r][j] = f(y[r][j] + bias[r % BiasRows][j]) over the R rows: a bias of one row, or of one row for
/// each row of a sample. (Row by row: a period's pattern of the bias, as the sums use, measured
/// slower at these sizes.)
template <std::size_t R, std::size_t N, std::size_t BiasRows, class S, class F>
inline void add_bias_and_map(S* __restrict y, const S* __restrict bias, F f) {
  for (std::size_t r = 0; r < R; ++r) {
    const S* b = bias + (BiasRows == 1 ? 0 : r % BiasRows) * N;
    for (std::size_t j = 0; j < N; ++j) y[r * N + j] = f(y[r * N + j] + b[j]);
  }
}

}  // namespace ctgraph::detail
