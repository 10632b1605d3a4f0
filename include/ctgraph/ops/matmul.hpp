// y = a b        a: [M, K] or [K]   b: [K, N]   y: [M, N] or [N]
// backward: da = g b^T,  db = a^T g
// A batch of vectors times a parameter is one gemm over all rows of the batch.
#pragma once

#include "ctgraph/detail/small_gemm.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class ShapeA, class ShapeB>
struct matmul_dims {
  static constexpr bool ranks_ok = (ShapeA::rank == 1 || ShapeA::rank == 2) && ShapeB::rank == 2;
  static constexpr std::size_t m = ShapeA::rank == 2 ? ShapeA::dims[0] : 1;
  static constexpr std::size_t k = ShapeA::dim_from_back(0);
  static constexpr std::size_t n = ShapeB::dim_from_back(0);
  using shape = std::conditional_t<ShapeA::rank == 2, ctgraph::shape<m, n>, ctgraph::shape<n>>;
};
}  // namespace detail

template <node A, node B>
struct matmul_node {
  using dims = detail::matmul_dims<typename A::shape, typename B::shape>;
  static constexpr std::size_t M = dims::m, K = dims::k, N = dims::n;
  using shape = typename dims::shape;
  using children = type_list<A, B>;
  static constexpr std::string_view type_name = "MatMul";
  static constexpr std::size_t flops = 2 * M * K * N;
  static constexpr std::size_t backward_flops = (needs_grad<A> + needs_grad<B>) * 2 * M * K * N;
  template <class... C>
  using with_children = matmul_node<C...>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* a = c.template value<A>();
    const S* b = c.template value<B>();
    S* y = c.template value<matmul_node>();
    if constexpr (!is_batched<B>) {
      constexpr std::size_t rows = (is_batched<A> ? Ctx::batch : 1) * M;
      detail::fixed_gemm<false, false, false, rows, N, K>(a, b, y);
    } else {
      for (std::size_t s = 0; s < Ctx::batch; ++s)
        detail::fixed_gemm<false, false, false, M, N, K>(a + (is_batched<A> ? s * M * K : 0), b + s * K * N, y + s * M * N);
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    const S* a = c.template value<A>();
    const S* b = c.template value<B>();
    const S* g = c.template grad<matmul_node>();
    if constexpr (!is_batched<B>) {
      constexpr std::size_t rows = (is_batched<A> ? Ctx::batch : 1) * M;
      if constexpr (needs_grad<A>) detail::fixed_gemm<false, true, true, rows, K, N>(g, b, c.template grad<A>());
      if constexpr (needs_grad<B>) detail::fixed_gemm<true, false, true, K, N, rows>(a, g, c.template grad<B>());
    } else {
      for (std::size_t s = 0; s < Ctx::batch; ++s) {
        const std::size_t ao = is_batched<A> ? s * M * K : 0;
        if constexpr (needs_grad<A>)
          detail::fixed_gemm<false, true, true, M, K, N>(g + s * M * N, b + s * K * N, c.template grad<A>() + ao);
        if constexpr (needs_grad<B>)
          detail::fixed_gemm<true, false, true, K, N, M>(a + ao, g + s * M * N, c.template grad<B>() + s * K * N);
      }
    }
  }
};

namespace detail {
template <class ShapeA, class ShapeB>
struct check_matmul {
  static_assert(matmul_dims<ShapeA, ShapeB>::ranks_ok,
                "ctgraph: matmul(a, b): a must be a vector [K] or a matrix [M, K] per sample, and b a matrix [K, N]");
  static_assert(!matmul_dims<ShapeA, ShapeB>::ranks_ok || ShapeA::dim_from_back(0) == ShapeB::dim_from_back(1),
                "ctgraph: matmul(a, b): the last dimension of a must equal the first of b");
  static constexpr bool ok =
      matmul_dims<ShapeA, ShapeB>::ranks_ok && ShapeA::dim_from_back(0) == ShapeB::dim_from_back(1);
};
}  // namespace detail

/// Product of matrices per sample: [M, K] x [K, N] -> [M, N]; a vector [K] acts as one row.
template <node A, node B>
constexpr auto matmul(A, B) {
  if constexpr (detail::check_matmul<typename A::shape, typename B::shape>::ok)
    return matmul_node<A, B>{};
  else
    return A{};
}

}  // namespace ctgraph
