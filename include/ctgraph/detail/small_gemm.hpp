// Products of matrices whose sizes are compile-time constants, as plain loops the
// compiler unrolls and vectorizes: for the smallest summations and single columns they
// beat the register-blocked kernel and a call into OpenBLAS (~100 ns of overhead per
// call, whatever the size); fixed_gemm below picks the kernel. One shape of loop serves all
// three products: a row of C lives in registers (acc, N wide) while a row of B
// per step of k is added into it, scaled by one element of A:
//   C = A B       acc += a[m, k] * b[k, :]
//   C = A^T B     acc += a[k, m] * b[k, :]
//   C = A B^T     the same on B^T, transposed once into a small buffer on the stack
#pragma once

#include <array>
#include <cstddef>

#include "ctgraph/detail/column_gemm.hpp"
#include "ctgraph/detail/gemm.hpp"
#include "ctgraph/detail/register_gemm.hpp"

namespace ctgraph::detail {

/// C[M, N] = op(A) op(B) (+ C when Accumulate) with every size known at compile time; with a Bias,
/// + bias[m] or bias[n] on each element, added as the row is stored (register_gemm.hpp).
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K,
          gemm_bias Bias = gemm_bias::none, class S>
inline void small_gemm(const S* __restrict a, const S* __restrict b, S* __restrict c,
                       const S* __restrict bias = nullptr) {
  static_assert(!(TransposeA && TransposeB), "ctgraph: internal: A^T B^T is not a product the graphs need");
  if constexpr (TransposeB) {
    std::array<S, K * N> bt;  // B is [N, K]: B^T [K, N], so that rows of it are contiguous
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t k = 0; k < K; ++k) bt[k * N + n] = b[n * K + k];
    small_gemm<TransposeA, false, Accumulate, M, N, K, Bias>(a, bt.data(), c, bias);
  } else if constexpr (N < simd<S>::lanes) {
    // Rows narrower than a vector: plain loops. (In a masked vector, a row of 2 cost fib_rnn_attention's
    // step 40%: a masked store, and the load that meets it, cost several times a plain one on Zen 4.)
    for (std::size_t m = 0; m < M; ++m) {
      std::array<S, N> acc;
      for (std::size_t n = 0; n < N; ++n) acc[n] = Accumulate ? c[m * N + n] : S(0);
      for (std::size_t k = 0; k < K; ++k) {
        const S am = TransposeA ? a[k * M + m] : a[m * K + k];
        for (std::size_t n = 0; n < N; ++n) acc[n] += am * b[k * N + n];
      }
      if constexpr (Bias == gemm_bias::per_row)
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] = acc[n] + bias[m];
      else if constexpr (Bias == gemm_bias::per_column)
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] = acc[n] + bias[n];
      else
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] = acc[n];
    }
  } else {
    // A row of C in vectors (the columns past the last whole one in the narrowest that holds them),
    // written out rather than left to the compiler: at -O2 (CMake's RelWithDebInfo) g++ 12 does not
    // vectorize a loop of 120 columns, whose 8 past the last vector need a scalar epilogue (iris'
    // first layer, with the batch along the lanes: 7% of its step at -O2). The same operations in
    // the same order as the loops, so the same bits where -O3 vectorizes them.
    using V = simd<S>;
    constexpr std::size_t L = V::lanes, NF = N / L, tail = N % L;
    using T = simd<S, bytes_for<S, tail == 0 ? 1 : tail>>;
    for (std::size_t m = 0; m < M; ++m) {
      S* cm = c + m * N;
      typename V::type acc[NF > 0 ? NF : 1];
      typename T::type tail_acc{};
#pragma GCC unroll 16
      for (std::size_t v = 0; v < NF; ++v) acc[v] = Accumulate ? V::template load<L>(cm + v * L) : typename V::type{};
      if constexpr (tail > 0)
        if constexpr (Accumulate) tail_acc = T::template load<tail>(cm + NF * L);
      for (std::size_t k = 0; k < K; ++k) {
        const S am = TransposeA ? a[k * M + m] : a[m * K + k];
        const S* bk = b + k * N;
#pragma GCC unroll 16
        for (std::size_t v = 0; v < NF; ++v) acc[v] += am * V::template load<L>(bk + v * L);
        if constexpr (tail > 0) tail_acc += am * T::template load<tail>(bk + NF * L);
      }
      if constexpr (Bias != gemm_bias::none) {
#pragma GCC unroll 16
        for (std::size_t v = 0; v < NF; ++v) {
          if constexpr (Bias == gemm_bias::per_row)
            acc[v] += bias[m];
          else
            acc[v] += V::template load<L>(bias + v * L);
        }
        if constexpr (tail > 0) {
          if constexpr (Bias == gemm_bias::per_row)
            tail_acc += bias[m];
          else
            tail_acc += T::template load<tail>(bias + NF * L);
        }
      }
#pragma GCC unroll 16
      for (std::size_t v = 0; v < NF; ++v) V::template store<L>(cm + v * L, acc[v]);
      if constexpr (tail > 0) T::template store<tail>(cm + NF * L, tail_acc);
    }
  }
}

/// Which kernel a product of these sizes runs on, from benchmarks/gemm_bench on the graphs' own
/// shapes (one thread, GFLOP/s, this project's Zen 4 guest, FMA peak 117; OpenBLAS' AVX-512 kernels):
///  - a summation shorter than 8 (K < 8): the plain loops above, whose C row stays in registers
///    while a tile's loads and stores would dominate (120x10x4: 62 against 34; 32x6x6: 57 against 37;
///    32x1x3: 19 against 2.7);
///  - everything else up to 2^24 multiply-adds: register_gemm (256x100x20: 101; 256x20x20: 93 against
///    the loops' 17; 120x20x10: 80 against 30; 64x32x32: 106);
///  - larger products: OpenBLAS, whose packing keeps big operands in cache (at 512^3 the two
///    already tie);
///  - but a single column of 8 rows or more (a dense layer of one unit) is column_gemm.hpp's: a
///    register tile's one column is a 128-bit vector with one useful lane (256x1x20: 10.6 GFLOP/s
///    in register_gemm, 6.5 in the loops, 39 in column_gemm; 20x1x256: 12.8, 10.8, 48).
enum class gemm_kernel { loops, registers, blas, column };

template <bool TransposeB, std::size_t M, std::size_t N, std::size_t K>
inline constexpr gemm_kernel gemm_kernel_for =
    K < 8                                               ? gemm_kernel::loops
    : N == 1 && M >= 8                                  ? gemm_kernel::column
    : M * N * K <= (std::size_t{1} << 24) && (!TransposeB || K * N <= 16384) ? gemm_kernel::registers
                                                        : gemm_kernel::blas;

/// C[M, N] = op(A) op(B) (+ C when Accumulate), on whichever kernel is fastest at that size; with a
/// Bias, + bias[m] (per_row) or bias[n] (per_column) on each element: in the kernel's store, or a
/// pass after OpenBLAS.
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K,
          gemm_bias Bias = gemm_bias::none, class S>
inline void fixed_gemm(const S* a, const S* b, S* c, const S* bias = nullptr) {
  constexpr gemm_kernel kernel = gemm_kernel_for<TransposeB, M, N, K>;
  if constexpr (kernel == gemm_kernel::loops) {
    small_gemm<TransposeA, TransposeB, Accumulate, M, N, K, Bias>(a, b, c, bias);
  } else if constexpr (kernel == gemm_kernel::column) {
    column_gemm<TransposeA, Accumulate, M, K, Bias>(a, b, c, bias);  // B [K, 1] and B^T [1, K]: the same K values
  } else if constexpr (kernel == gemm_kernel::registers) {
    register_gemm<TransposeA, TransposeB, Accumulate, M, N, K, Bias>(a, b, c, bias);
  } else {
    gemm<S>(TransposeA, TransposeB, M, N, K, a, b, c, Accumulate ? S(1) : S(0));
    if constexpr (Bias != gemm_bias::none)
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t n = 0; n < N; ++n) c[m * N + n] += bias[Bias == gemm_bias::per_row ? m : n];
  }
}

}  // namespace ctgraph::detail
