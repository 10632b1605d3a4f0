// Products of matrices with compile-time sizes, register-blocked, without packing:
//   C[M, N] (+)= op(A) B        op(A) = A [M, K] or A^T (A stored [K, M]);  B [K, N]
// C is cut into tiles of MR rows by NR columns, NR a few vectors wide. A tile's
// accumulators live in registers for the whole k loop; each step of k loads one
// row-piece of B (NR/lanes vectors) and broadcasts MR elements of A into MR x NR/lanes
// FMAs. The operands are read where they lie in the workspace (rows of B contiguous,
// A's elements one broadcast each), so nothing is copied. Columns past the last full
// vector are loaded and stored with copies of just their width: no read or write
// outside the matrices.
//
// Why this shape: the graphs' products are tall and narrow (256 x 20 x 100, 120 x 20 x 10,
// 200 x 8 x 24): too small for OpenBLAS to amortise its packing and call overhead, too
// large for the plain loops of small_gemm.hpp to keep their accumulators in registers.
// Its speed against both is measured in benchmarks/gemm_bench (figures in small_gemm.hpp).
#pragma once

#include <cstddef>

#include "ctgraph/detail/simd.hpp"
#include "ctgraph/detail/transpose.hpp"

namespace ctgraph::detail {

/// A bias the kernels add to C as they store it: one value per row of C (lanes_affine: a row is a
/// feature), or one per column (affine: a column is a feature). Added after the whole sum, as a pass
/// over C after the product would: the same bits, one pass over C fewer.
enum class gemm_bias { none, per_row, per_column };

/// How many partial sums a tile keeps per accumulator: an FMA's result is ready 4 cycles later and
/// two issue per cycle, so a tile of fewer than 8 accumulators (one row at batch 1: a recurrent
/// cell's h R) waits on its own chain; split k over enough independent sums to keep 8 in flight.
template <std::size_t Accumulators, std::size_t K>
inline constexpr std::size_t k_splits = [] {
  const std::size_t want = Accumulators >= 8 ? 1 : (8 + Accumulators - 1) / Accumulators;
  return want < K ? want : (K > 0 ? K : 1);
}();

/// Rows [m0, m0 + MR) x columns [n0, n0 + Cols) of C: Cols / lanes full vectors, and the rest
/// (if any) in the narrowest vector that holds it. (A tail of 4 columns in a 512-bit vector cost a
/// whole 512-bit FMA per step on a core that runs those as two 256-bit halves; in a 128-bit one,
/// a quarter. golden_feature's and iris' layers are 20 and 10 wide.)
/// Bias (gemm_bias): bias[m] or bias[n] added to each element of the sum as it is stored.
template <bool TransposeA, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, std::size_t MR,
          std::size_t Cols, gemm_bias Bias = gemm_bias::none, class S>
inline void register_tile(const S* __restrict a, const S* __restrict b, S* __restrict c, std::size_t m0,
                          std::size_t n0, const S* __restrict bias = nullptr) {
  using V = typename simd<S>::type;
  constexpr std::size_t L = simd<S>::lanes;
  constexpr std::size_t NF = Cols / L;     // full vectors
  constexpr std::size_t tail = Cols % L;  // columns past them
  using tail_simd = simd<S, bytes_for<S, tail == 0 ? 1 : tail>>;
  using T = typename tail_simd::type;
  constexpr std::size_t vectors = NF + (tail > 0);
  constexpr std::size_t U = k_splits<MR * vectors, K>;
  V acc[U][MR][NF > 0 ? NF : 1];
  T tail_acc[U][MR];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < MR; ++r) {
    const S* cp = c + (m0 + r) * N + n0;
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NF; ++v) {
      acc[0][r][v] = Accumulate ? simd<S>::template load<L>(cp + v * L) : V{};
#pragma GCC unroll 8
      for (std::size_t u = 1; u < U; ++u) acc[u][r][v] = V{};
    }
    if constexpr (tail > 0) {
      tail_acc[0][r] = Accumulate ? tail_simd::template load<tail>(cp + NF * L) : T{};
#pragma GCC unroll 8
      for (std::size_t u = 1; u < U; ++u) tail_acc[u][r] = T{};
    }
  }
  // Step k of the sum into partial sum u.
  const auto step = [&](std::size_t k, std::size_t u) __attribute__((always_inline)) {
    const S* bp = b + k * N + n0;
    V bv[NF > 0 ? NF : 1];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NF; ++v) bv[v] = simd<S>::template load<L>(bp + v * L);
    T bt{};
    if constexpr (tail > 0) bt = tail_simd::template load<tail>(bp + NF * L);
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
      const S ar = TransposeA ? a[k * M + m0 + r] : a[(m0 + r) * K + k];
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NF; ++v) acc[u][r][v] += ar * bv[v];
      if constexpr (tail > 0) tail_acc[u][r] += ar * bt;
    }
  };
  constexpr std::size_t whole = K / U * U;
  for (std::size_t k = 0; k < whole; k += U)
#pragma GCC unroll 8
    for (std::size_t u = 0; u < U; ++u) step(k + u, u);
#pragma GCC unroll 8
  for (std::size_t k = whole; k < K; ++k) step(k, k - whole);
#pragma GCC unroll 16
  for (std::size_t r = 0; r < MR; ++r) {
    S* cp = c + (m0 + r) * N + n0;
#pragma GCC unroll 8
    for (std::size_t v = 0; v < NF; ++v) {
#pragma GCC unroll 8
      for (std::size_t u = 1; u < U; ++u) acc[0][r][v] += acc[u][r][v];
      if constexpr (Bias == gemm_bias::per_row) acc[0][r][v] += bias[m0 + r];
      if constexpr (Bias == gemm_bias::per_column) acc[0][r][v] += simd<S>::template load<L>(bias + n0 + v * L);
      simd<S>::template store<L>(cp + v * L, acc[0][r][v]);
    }
    if constexpr (tail > 0) {
#pragma GCC unroll 8
      for (std::size_t u = 1; u < U; ++u) tail_acc[0][r] += tail_acc[u][r];
      if constexpr (Bias == gemm_bias::per_row) tail_acc[0][r] += bias[m0 + r];
      if constexpr (Bias == gemm_bias::per_column) tail_acc[0][r] += tail_simd::template load<tail>(bias + n0 + NF * L);
      tail_simd::template store<tail>(cp + NF * L, tail_acc[0][r]);
    }
  }
}

/// Every row of C for the columns [n0, n0 + Cols): full tiles of MR rows, then the rest.
template <bool TransposeA, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, std::size_t MR,
          std::size_t Cols, gemm_bias Bias = gemm_bias::none, class S>
inline void register_panel(const S* a, const S* b, S* c, std::size_t n0, const S* bias = nullptr) {
  constexpr std::size_t full = M / MR * MR;
  for (std::size_t m0 = 0; m0 < full; m0 += MR)
    register_tile<TransposeA, Accumulate, M, N, K, MR, Cols, Bias>(a, b, c, m0, n0, bias);
  if constexpr (M % MR != 0)
    register_tile<TransposeA, Accumulate, M, N, K, M % MR, Cols, Bias>(a, b, c, full, n0, bias);
}

/// A tile is 2 vectors of columns by at most 6 rows (12 accumulators, with B's two vectors and a
/// broadcast 15 registers: within AVX2's 16 as AVX-512's 32); tile_rows below picks the height.
inline constexpr std::size_t register_rows = 6, register_vectors = 2;
/// A kernel's gradient over a batch of 128 or more (A^T B, a long sum) takes tiles of 12 rows where
/// AVX-512 gives 32 registers (24 accumulators): A's MR elements a step are consecutive there, and
/// twice the rows halve B's loads a multiply-add. gemm_bench, GFLOP/s: 20x100x256 94 -> 107,
/// 100x20x256 90 -> 96, 20x20x256 84 -> 96; shorter sums (64, 32; iris' 10) are as fast or faster in 6.
template <bool TransposeA, std::size_t K>
inline constexpr std::size_t most_tile_rows = TransposeA && K >= 128 && vector_bytes == 64 ? 12 : register_rows;
/// The rows of M's tiles, as even as one height allows: as few tiles as most_tile_rows permits, of
/// equal height. 6 + 4 rows for iris' 10 left a tile of 4 (its dx, 10x120x20: 88 GFLOP/s), 5 + 5 run
/// at 106-111; 6 + 6 + 6 + 2 for 20 (the forward, 20x120x10: 91-99), 5 x 4 at 98-104.
template <bool TransposeA, std::size_t M, std::size_t K>
inline constexpr std::size_t tile_rows = [] {
  constexpr std::size_t most = most_tile_rows<TransposeA, K>, tiles = (M + most - 1) / most;
  return tiles == 0 ? most : (M + tiles - 1) / tiles;
}();

/// C[M, N] = op(A) op(B) (+ C when Accumulate), register-blocked; op(X) = X^T when TransposeX.
/// B^T (B stored [N, K]) is transposed once into a buffer on the stack, K x N values (transpose.hpp).
/// With a Bias, + bias[m] (per_row) or + bias[n] (per_column) on each element, added as it is stored.
template <bool TransposeA, bool TransposeB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K,
          gemm_bias Bias = gemm_bias::none, class S>
inline void register_gemm(const S* a, const S* b, S* c, const S* bias = nullptr) {
  static_assert(!(TransposeA && TransposeB), "ctgraph: internal: A^T B^T is not a product the graphs need");
  if constexpr (TransposeB) {
    alignas(64) S bt[K * N];
    transpose<N, K>(b, bt);
    register_gemm<TransposeA, false, Accumulate, M, N, K, Bias>(a, bt, c, bias);
  } else {
    constexpr std::size_t NR = register_vectors * simd<S>::lanes;
    constexpr std::size_t full = N / NR * NR, MR = tile_rows<TransposeA, M, K>;
    for (std::size_t n0 = 0; n0 < full; n0 += NR)
      register_panel<TransposeA, Accumulate, M, N, K, MR, NR, Bias>(a, b, c, n0, bias);
    if constexpr (N % NR != 0)
      register_panel<TransposeA, Accumulate, M, N, K, MR, N % NR, Bias>(a, b, c, full, bias);
  }
}

}  // namespace ctgraph::detail
