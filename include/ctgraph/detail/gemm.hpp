// The one way a product of matrices reaches OpenBLAS: xtensor-blas' gemm on
// views of the executor's own buffers (xt::adapt allocates nothing), row-major.
#pragma once

#include <array>
#include <cstddef>

#include <xtensor/xadapt.hpp>
#include <xtensor-blas/xblas.hpp>

namespace ctgraph::detail {

/// C[M, N] = op(A)[M, K] op(B)[K, N] + beta C, op a transpose when asked.
template <class Scalar>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, const Scalar* a,
          const Scalar* b, Scalar* c, Scalar beta) {
  using shape2 = std::array<std::size_t, 2>;
  const auto av = xt::adapt(a, m * k, xt::no_ownership(), transpose_a ? shape2{k, m} : shape2{m, k});
  const auto bv = xt::adapt(b, k * n, xt::no_ownership(), transpose_b ? shape2{n, k} : shape2{k, n});
  auto cv = xt::adapt(c, m * n, xt::no_ownership(), shape2{m, n});
  xt::blas::gemm(av, bv, cv, transpose_a, transpose_b, Scalar(1), beta);
}

}  // namespace ctgraph::detail
