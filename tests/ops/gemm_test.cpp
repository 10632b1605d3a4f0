#include <type_traits>
#include <vector>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

namespace {
template <bool TA, bool TB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K>
void compare_with_blas() {
  ctgraph::random_engine rng(M * 131 + N * 17 + K);
  std::vector<double> a(M * K), b(K * N), c(M * N), expected(M * N);
  for (double& v : a) v = rng.uniform(-1, 1);
  for (double& v : b) v = rng.uniform(-1, 1);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = expected[i] = rng.uniform(-1, 1);
  ctgraph::detail::small_gemm<TA, TB, Accumulate, M, N, K>(a.data(), b.data(), c.data());
  ctgraph::detail::gemm<double>(TA, TB, M, N, K, a.data(), b.data(), expected.data(), Accumulate ? 1.0 : 0.0);
  for (std::size_t i = 0; i < c.size(); ++i) CHECK(c[i] == doctest::Approx(expected[i]).epsilon(1e-12));
}

/// A kernel's C[M, N] = op(A) op(B) (+ C) against OpenBLAS, with a guard zone around C that must stay
/// untouched: the tail columns write only what is theirs. run(a, b, c) calls the kernel.
template <bool TA, bool TB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S, class Run>
void kernel_matches_blas(Run run) {
  ctgraph::random_engine rng(M * 131 + N * 17 + K);
  constexpr std::size_t guard = 64;
  std::vector<S> a(M * K), b(K * N), c(M * N + 2 * guard, S(7)), expected(M * N);
  for (S& v : a) v = S(rng.uniform(-1, 1));
  for (S& v : b) v = S(rng.uniform(-1, 1));
  for (std::size_t i = 0; i < M * N; ++i) c[guard + i] = expected[i] = S(rng.uniform(-1, 1));
  run(a.data(), b.data(), c.data() + guard);
  ctgraph::detail::gemm<S>(TA, TB, M, N, K, a.data(), b.data(), expected.data(), Accumulate ? S(1) : S(0));
  const double tolerance = std::is_same_v<S, float> ? 1e-5 : 1e-12;
  for (std::size_t i = 0; i < M * N; ++i)
    CHECK(c[guard + i] == doctest::Approx(expected[i]).epsilon(tolerance).scale(1.0));
  for (std::size_t i = 0; i < guard; ++i) {
    CHECK(c[i] == S(7));
    CHECK(c[guard + M * N + i] == S(7));
  }
}

/// register_gemm against OpenBLAS, in float and double (their vectors hold different counts).
template <bool TA, bool TB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S>
void register_gemm_matches_blas() {
  kernel_matches_blas<TA, TB, Accumulate, M, N, K, S>(
      [](const S* a, const S* b, S* c) { ctgraph::detail::register_gemm<TA, TB, Accumulate, M, N, K>(a, b, c); });
}

template <class S>
void register_gemm_shapes() {
  register_gemm_matches_blas<false, false, false, 7, 5, 3, S>();      // smaller than a tile every way
  register_gemm_matches_blas<false, false, true, 256, 100, 20, S>();  // golden_feature's dense_1
  register_gemm_matches_blas<false, true, true, 256, 20, 100, S>();   // its dx, through B^T
  register_gemm_matches_blas<true, false, true, 20, 100, 256, S>();   // its dW, through A^T
  register_gemm_matches_blas<false, false, false, 64, 32, 32, S>();   // attention_column
  register_gemm_matches_blas<true, false, false, 32, 64, 64, S>();
  register_gemm_matches_blas<false, false, true, 120, 20, 10, S>();   // iris
  register_gemm_matches_blas<false, true, false, 13, 33, 17, S>();    // every kind of tail at once
  register_gemm_matches_blas<false, false, true, 200, 8, 24, S>();    // SimpleChains' 24 -> 8
  register_gemm_matches_blas<false, false, false, 31, 1, 9, S>();     // one column
  // Tails in 128-, 256- and 512-bit vectors, full and masked (float: 13, 6 and 3 past the full
  // vectors; double: 5, 6, 3 and 2).
  register_gemm_matches_blas<false, false, true, 9, 45, 11, S>();
  register_gemm_matches_blas<true, false, false, 10, 22, 12, S>();
  register_gemm_matches_blas<false, true, true, 8, 3, 10, S>();
  register_gemm_matches_blas<false, false, false, 7, 2, 9, S>();
}
}  // namespace

TEST_CASE("register_gemm: A B, A B^T and A^T B equal OpenBLAS in float and double, and write only C") {
  register_gemm_shapes<float>();
  register_gemm_shapes<double>();
}

namespace {
/// column_gemm (C [M, 1]) against OpenBLAS, with a guard zone around C as above.
template <bool TA, bool Accumulate, std::size_t M, std::size_t K, class S>
void column_gemm_matches_blas() {
  kernel_matches_blas<TA, false, Accumulate, M, 1, K, S>(
      [](const S* a, const S* b, S* c) { ctgraph::detail::column_gemm<TA, Accumulate, M, K>(a, b, c); });
}

template <class S>
void column_gemm_shapes() {
  column_gemm_matches_blas<false, false, 256, 20, S>();  // golden_feature's dense_3
  column_gemm_matches_blas<true, true, 20, 256, S>();    // its dW
  column_gemm_matches_blas<false, true, 64, 64, S>();    // attention_column's dense_1
  column_gemm_matches_blas<true, false, 64, 64, S>();
  column_gemm_matches_blas<false, true, 31, 9, S>();     // groups of 16, 8, 4, 2 and 1 rows; a tail of K
  column_gemm_matches_blas<false, false, 8, 33, S>();
  column_gemm_matches_blas<true, true, 13, 17, S>();
}
}  // namespace

TEST_CASE("column_gemm: a product of one column equals OpenBLAS in float and double, and writes only C") {
  static_assert(ctgraph::detail::gemm_kernel_for<false, 256, 1, 20> == ctgraph::detail::gemm_kernel::column);
  static_assert(ctgraph::detail::gemm_kernel_for<true, 20, 1, 256> == ctgraph::detail::gemm_kernel::column);
  static_assert(ctgraph::detail::gemm_kernel_for<false, 4, 1, 20> == ctgraph::detail::gemm_kernel::registers);
  column_gemm_shapes<float>();
  column_gemm_shapes<double>();
}

namespace {
template <bool TA, bool TB, bool Accumulate, std::size_t M, std::size_t N, std::size_t K, class S>
void small_gemm_matches_blas() {
  kernel_matches_blas<TA, TB, Accumulate, M, N, K, S>(
      [](const S* a, const S* b, S* c) { ctgraph::detail::small_gemm<TA, TB, Accumulate, M, N, K>(a, b, c); });
}

/// Rows of a vector or more, in explicit vectors with the rest in a narrower one: float and double.
template <class S>
void small_gemm_vector_shapes() {
  small_gemm_matches_blas<true, false, false, 10, 120, 4, S>();  // iris' first layer, the batch along the lanes
  small_gemm_matches_blas<false, false, true, 6, 37, 3, S>();    // a masked tail, accumulated
  small_gemm_matches_blas<false, true, false, 5, 33, 6, S>();    // through B^T
  small_gemm_matches_blas<false, false, true, 3, 32, 2, S>();    // whole vectors only
  small_gemm_matches_blas<true, false, true, 4, 17, 7, S>();
}
}  // namespace

TEST_CASE("small_gemm: A B, A B^T and A^T B equal OpenBLAS, written or accumulated, and write only C") {
  compare_with_blas<false, false, false, 7, 5, 3>();
  compare_with_blas<false, false, true, 32, 6, 6>();
  compare_with_blas<false, true, true, 32, 6, 1>();
  compare_with_blas<false, true, false, 4, 9, 20>();
  compare_with_blas<true, false, true, 20, 1, 256>();
  compare_with_blas<true, false, false, 3, 11, 5>();
  small_gemm_vector_shapes<float>();
  small_gemm_vector_shapes<double>();
}

namespace {
/// fixed_gemm with a bias per row or per column of C: the bits of the product without it followed by
/// a pass that adds it (what the dense nodes did before the bias moved into the kernels' stores).
template <bool TA, bool TB, std::size_t M, std::size_t N, std::size_t K, class S>
void bias_equals_a_pass_after() {
  using ctgraph::detail::gemm_bias;
  ctgraph::random_engine rng(M * 7 + N * 3 + K);
  std::vector<S> a(M * K), b(K * N), row_bias(M), column_bias(N), by_row(M * N), by_column(M * N), plain(M * N);
  for (S& v : a) v = S(rng.uniform(-1, 1));
  for (S& v : b) v = S(rng.uniform(-1, 1));
  for (S& v : row_bias) v = S(rng.uniform(-1, 1));
  for (S& v : column_bias) v = S(rng.uniform(-1, 1));
  ctgraph::detail::fixed_gemm<TA, TB, false, M, N, K, gemm_bias::per_row>(a.data(), b.data(), by_row.data(),
                                                                          row_bias.data());
  ctgraph::detail::fixed_gemm<TA, TB, false, M, N, K, gemm_bias::per_column>(a.data(), b.data(), by_column.data(),
                                                                             column_bias.data());
  ctgraph::detail::fixed_gemm<TA, TB, false, M, N, K>(a.data(), b.data(), plain.data());
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n) {
      CHECK(by_row[m * N + n] == plain[m * N + n] + row_bias[m]);
      CHECK(by_column[m * N + n] == plain[m * N + n] + column_bias[n]);
    }
}
}  // namespace

TEST_CASE("fixed_gemm: a bias per row or per column added in the kernel's store gives the bits of a pass after it") {
  static_assert(ctgraph::detail::gemm_kernel_for<false, 10, 120, 4> == ctgraph::detail::gemm_kernel::loops);
  static_assert(ctgraph::detail::gemm_kernel_for<false, 20, 120, 10> == ctgraph::detail::gemm_kernel::registers);
  static_assert(ctgraph::detail::gemm_kernel_for<false, 600, 600, 600> == ctgraph::detail::gemm_kernel::blas);
  bias_equals_a_pass_after<true, false, 10, 120, 4, float>();   // iris' first layers: the plain loops
  bias_equals_a_pass_after<true, false, 20, 120, 10, float>();  // its second: registers, a 24-wide tail
  bias_equals_a_pass_after<true, false, 3, 117, 20, double>();  // tails in double, fewer rows than a tile
  bias_equals_a_pass_after<false, true, 13, 33, 17, float>();   // through B^T
  bias_equals_a_pass_after<false, false, 256, 100, 20, float>();     // golden_feature's dense_1, by rows
  bias_equals_a_pass_after<false, false, 64, 6, 6, double>();        // the plain loops, by rows
  bias_equals_a_pass_after<false, false, 600, 600, 600, float>();    // OpenBLAS, then the pass
  bias_equals_a_pass_after<false, false, 256, 1, 20, float>();       // one column: dot products
  bias_equals_a_pass_after<true, false, 20, 1, 256, double>();       // one column through A^T
}

namespace {
/// transpose against the definition, exactly, with a guard zone after the output.
template <std::size_t Rows, std::size_t Cols, class S>
void transpose_matches_definition() {
  constexpr std::size_t guard = 16;
  std::vector<S> in(Rows * Cols), out(Rows * Cols + guard, S(7));
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = S(i) + S(0.5);
  ctgraph::detail::transpose<Rows, Cols>(in.data(), out.data());
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t c = 0; c < Cols; ++c) CHECK(out[c * Rows + r] == in[r * Cols + c]);
  for (std::size_t i = 0; i < guard; ++i) CHECK(out[Rows * Cols + i] == S(7));
}
}  // namespace

TEST_CASE("transpose: blocks of 8 x 8 and the narrower blocks at the edges land where the definition puts them") {
  transpose_matches_definition<8, 8, float>();
  transpose_matches_definition<64, 32, float>();   // attention_column's dense_1 kernel
  transpose_matches_definition<20, 100, float>();  // golden_feature's: edges on both sides
  transpose_matches_definition<100, 20, float>();
  transpose_matches_definition<32, 6, float>();    // digits_attention's batch to the lanes: 8 x 6 blocks
  transpose_matches_definition<6, 32, float>();    // and back: 6 x 8 blocks
  transpose_matches_definition<13, 11, float>();   // blocks narrower on both sides
  transpose_matches_definition<3, 5, float>();     // no block at all
  transpose_matches_definition<17, 9, double>();
}
