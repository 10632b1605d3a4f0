// Products of matrices whose sizes are compile-time constants, as plain loops the
// compiler unrolls and vectorizes: below a size, they beat a call into OpenBLAS
// (~100 ns of overhead per call, whatever the size). The loop orders keep the
// innermost loop on contiguous memory in every case:
//   C = A B       c[m, :] += a[m, k] * b[k, :]        (rows of B, vectorized over N)
//   C = A B^T     c[m, n] += dot(a[m, :], b[n, :])    (dot products over K)
//   C = A^T B     c[m, :] += a[k, m] * b[k, :]        (rank-1 updates, vectorized over N)
#pragma once

#include <cstddef>

#include "ctgraph/detail/gemm.hpp"

namespace ctgraph::detail {

/// C[M, N] = op(A) op(B) (+ C when Accumulate) with every size known at compile time.
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S>
inline void small_gemm(const S* __restrict a, const S* __restrict b, S* __restrict c) {
  static_assert(!(TransposeA && TransposeB), "ctgraph: internal: A^T B^T is not a product the graphs need");
  if constexpr (!Accumulate)
    for (std::size_t i = 0; i < M * N; ++i) c[i] = S(0);
  if constexpr (!TransposeA && !TransposeB) {
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t k = 0; k < K; ++k) {
        const S am = a[m * K + k];
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] += am * b[k * N + n];
      }
  } else if constexpr (TransposeB) {
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t n = 0; n < N; ++n) {
        S dot = 0;
        for (std::size_t k = 0; k < K; ++k) dot += a[m * K + k] * b[n * K + k];
        c[m * N + n] += dot;
      }
  } else {
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t m = 0; m < M; ++m) {
        const S am = a[k * M + m];
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] += am * b[k * N + n];
      }
  }
}

/// Products up to this many multiply-adds run as fixed-size loops; larger ones go to OpenBLAS.
/// Chosen by measurement (benchmarks/ctgraph_bench, gemm cases).
inline constexpr std::size_t small_gemm_limit = 1 << 15;

/// C[M, N] = op(A) op(B) (+ C when Accumulate), by fixed-size loops or OpenBLAS, whichever is
/// faster at that size.
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S>
inline void fixed_gemm(const S* a, const S* b, S* c) {
  if constexpr (M * N * K <= small_gemm_limit)
    small_gemm<TransposeA, TransposeB, Accumulate, M, N, K>(a, b, c);
  else
    gemm<S>(TransposeA, TransposeB, M, N, K, a, b, c, Accumulate ? S(1) : S(0));
}

}  // namespace ctgraph::detail
