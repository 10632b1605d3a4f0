// y = act(x W + b) with the batch along the lanes: x [K, Batch], y [N, Batch] (feature-major)
//   forward:  y = act(W^T x + b)                    (b added to each feature's row)
//   backward: z' = act'(y) g;  db = z' summed along each row;  dW = x z'^T;  dx = W z'
// The affine node (affine.hpp) of a graph whose layers are narrower than a vector: a row of y
// is a whole batch, so every product fills its vectors however few features a layer has
// (digits_attention's 6, 3 and 1), where rows of samples would fill 6 lanes of 16.
#pragma once

#include <bit>

#include "ctgraph/detail/lane_sums.hpp"
#include "ctgraph/detail/small_gemm.hpp"
#include "ctgraph/ops/affine.hpp"

namespace ctgraph {

template <node X, node W, node B, class Act>
struct lanes_affine_node {
  static constexpr std::size_t K = W::shape::dims[0], N = W::shape::dims[1];
  using shape = ctgraph::shape<N>;
  using children = type_list<X, W, B>;
  using act = Act;
  static_assert(X::shape::rank == 1 && B::shape::size == N,
                "ctgraph: internal: only a dense layer over one vector a sample runs with the batch along the lanes");
  static constexpr std::string_view type_name = "Affine";
  static constexpr std::size_t flops = 2 * K * N + 2 * N;
  static constexpr std::size_t backward_flops = (needs_grad<X> + 1) * 2 * K * N + 3 * N;
  template <class... C>
  using with_children = lanes_affine_node<C..., Act>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, X> || std::is_same_v<C, W> || std::is_same_v<C, B>;

  /// A row of R values as a vector of partial sums (or, Dot, of a's and b's products; b is unread
  /// otherwise). The totals of such vectors' lanes, folded together (lane_sums.hpp), are a bias's
  /// and a kernel's gradients.
  template <class S, std::size_t R, bool Dot>
  static typename detail::simd<S>::type row_partials(const S* __restrict a, const S* __restrict b) {
    using V = detail::simd<S>;
    constexpr std::size_t L = V::lanes, whole = R / L * L;
    typename V::type sum{};
    for (std::size_t r = 0; r < whole; r += L) {
      if constexpr (Dot)
        sum += V::template load<L>(a + r) * V::template load<L>(b + r);
      else
        sum += V::template load<L>(a + r);
    }
    if constexpr (whole < R) {
      if constexpr (Dot)
        sum += V::template load<R - whole>(a + whole) * V::template load<R - whole>(b + whole);
      else
        sum += V::template load<R - whole>(a + whole);
    }
    return sum;
  }
  /// out[i] (+)= the total of partial(i)'s lanes for i < Count: as many at once as a vector has lanes.
  template <class S, std::size_t Count, bool Accumulate, std::size_t Done = 0, class Partial>
  static void totals(S* out, const Partial& partial) {
    if constexpr (Done < Count) {
      using sums = detail::lane_sums<S>;
      constexpr std::size_t left = Count - Done, G = std::bit_floor(left < sums::L ? left : sums::L);
      typename sums::vector v[G];
      for (std::size_t i = 0; i < G; ++i) v[i] = partial(Done + i);
      sums::template totals<Accumulate>(v, out + Done);
      totals<S, Count, Accumulate, Done + G>(out, partial);
    }
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = Ctx::batch;
    S* y = c.template value<lanes_affine_node>();
    const S* b = c.template value<B>();
    detail::fixed_gemm<true, false, false, N, R, K>(c.template value<W>(), c.template value<X>(), y);
    for (std::size_t n = 0; n < N; ++n) {
      const S bias = b[n];
      for (std::size_t r = 0; r < R; ++r) y[n * R + r] = S(Act::f(y[n * R + r] + bias));
    }
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = Ctx::batch;
    const S* y = c.template value<lanes_affine_node>();
    S* g = c.template grad<lanes_affine_node>();  // becomes z' in place: nothing reads this gradient after us
    if constexpr (!std::is_same_v<Act, identity_op>)
      for (std::size_t i = 0; i < N * R; ++i) g[i] *= Act::df(y[i], y[i]);
    totals<S, N, !Ctx::template assigns_grad<B>>(c.template grad<B>(),
                                                 [&](std::size_t n) { return row_partials<S, R, false>(g + n * R, nullptr); });
    // dW[k][n]: the dot product of row k of x and row n of z', along the batch.
    const S* x = c.template value<X>();
    totals<S, K * N, !Ctx::template assigns_grad<W>>(c.template grad<W>(), [&](std::size_t i) {
      return row_partials<S, R, true>(x + i / N * R, g + i % N * R);
    });
    if constexpr (needs_grad<X>)
      detail::fixed_gemm<false, false, !Ctx::template assigns_grad<X>, K, R, N>(c.template value<W>(), g,
                                                                               c.template grad<X>());
  }
};

}  // namespace ctgraph
