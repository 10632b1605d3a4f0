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
}  // namespace

TEST_CASE("small_gemm: A B, A B^T and A^T B equal OpenBLAS, written or accumulated") {
  compare_with_blas<false, false, false, 7, 5, 3>();
  compare_with_blas<false, false, true, 32, 6, 6>();
  compare_with_blas<false, true, true, 32, 6, 1>();
  compare_with_blas<false, true, false, 4, 9, 20>();
  compare_with_blas<true, false, true, 20, 1, 256>();
  compare_with_blas<true, false, false, 3, 11, 5>();
}
