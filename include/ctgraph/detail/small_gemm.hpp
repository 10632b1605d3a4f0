// Products of matrices whose sizes are compile-time constants, as plain loops the
// compiler unrolls and vectorizes: below a size, they beat a call into OpenBLAS
// (~100 ns of overhead per call, whatever the size). One shape of loop serves all
// three products: a row of C lives in registers (acc, N wide) while a row of B
// per step of k is added into it, scaled by one element of A:
//   C = A B       acc += a[m, k] * b[k, :]
//   C = A^T B     acc += a[k, m] * b[k, :]
//   C = A B^T     the same on B^T, transposed once into a small buffer on the stack
#pragma once

#include <array>
#include <cstddef>

#include "ctgraph/detail/gemm.hpp"

namespace ctgraph::detail {

/// C[M, N] = op(A) op(B) (+ C when Accumulate) with every size known at compile time.
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S>
inline void small_gemm(const S* __restrict a, const S* __restrict b, S* __restrict c) {
  static_assert(!(TransposeA && TransposeB), "ctgraph: internal: A^T B^T is not a product the graphs need");
  if constexpr (TransposeB) {
    std::array<S, K * N> bt;  // B is [N, K]: B^T [K, N], so that rows of it are contiguous
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t k = 0; k < K; ++k) bt[k * N + n] = b[n * K + k];
    small_gemm<TransposeA, false, Accumulate, M, N, K>(a, bt.data(), c);
  } else {
    for (std::size_t m = 0; m < M; ++m) {
      std::array<S, N> acc;
      for (std::size_t n = 0; n < N; ++n) acc[n] = Accumulate ? c[m * N + n] : S(0);
      for (std::size_t k = 0; k < K; ++k) {
        const S am = TransposeA ? a[k * M + m] : a[m * K + k];
        for (std::size_t n = 0; n < N; ++n) acc[n] += am * b[k * N + n];
      }
      for (std::size_t n = 0; n < N; ++n) c[m * N + n] = acc[n];
    }
  }
}

/// Products up to this many multiply-adds run as fixed-size loops; larger ones go to OpenBLAS.
/// Measured on the graphs' own shapes (benchmarks/gemm_bench): the loops win 2-16x up to
/// about 5,000 (32x6x6: 33 ns against 181 ns), tie near 8,000, and lose from 10,000 on
/// (120x20x10: 0.9 us against 0.7 us; 256x20x20: 8.4 us against 2.5 us).
inline constexpr std::size_t small_gemm_limit = 8192;

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
