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

  /// A row of R values as a vector of partial sums. The totals of such vectors' lanes, folded
  /// together (lane_sums.hpp), are a bias's gradient.
  template <class S, std::size_t R>
  static typename detail::simd<S>::type row_partials(const S* a) {
    using V = detail::simd<S>;
    constexpr std::size_t L = V::lanes, whole = R / L * L;
    typename V::type sum{};
    for (std::size_t r = 0; r < whole; r += L) sum += V::template load<L>(a + r);
    if constexpr (whole < R) sum += V::template load<R - whole>(a + whole);
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

  /// dW[Done, Done + G) (+)= their dot products of a row of x and a row of z' along the batch
  /// (dW[k][n]: x's row k, z''s row n), as G vectors of partial sums side by side, folded together.
  /// Each row is loaded once a step for all the products that read it: G = 16 consecutive products
  /// read at most 16 rows of z' and 2 of x (for N >= 8), where one by one each product loaded two.
  template <class S, std::size_t R, bool Accumulate, std::size_t Done, std::size_t G>
  static void kernel_group(const S* x, const S* g, S* dW) {
    using V = detail::simd<S>;
    constexpr std::size_t L = V::lanes, whole = R / L * L;
    typename detail::lane_sums<S>::vector sum[G]{};
    // Inlined at -O2 too (as register_gemm's step): called, its G sums went through memory.
    const auto add = [&]<std::size_t Count, std::size_t... I>(std::size_t r, std::index_sequence<I...>)
        __attribute__((always_inline)) {
      ((sum[I] += V::template load<Count>(x + (Done + I) / N * R + r) * V::template load<Count>(g + (Done + I) % N * R + r)),
       ...);
    };
    for (std::size_t r = 0; r < whole; r += L) add.template operator()<L>(r, std::make_index_sequence<G>{});
    if constexpr (whole < R) add.template operator()<R - whole>(whole, std::make_index_sequence<G>{});
    detail::lane_sums<S>::template totals<Accumulate>(sum, dW + Done);
  }
  /// dW (+)= x z'^T, in groups of as many products as a vector has lanes.
  template <class S, std::size_t R, bool Accumulate, std::size_t Done = 0>
  static void kernel_gradient(const S* x, const S* g, S* dW) {
    if constexpr (Done < K * N) {
      constexpr std::size_t left = K * N - Done, L = detail::lane_sums<S>::L, G = std::bit_floor(left < L ? left : L);
      kernel_group<S, R, Accumulate, Done, G>(x, g, dW);
      kernel_gradient<S, R, Accumulate, Done + G>(x, g, dW);
    }
  }

  /// g *= act'(y), element by element. Its own function so that the pointers are restrict: g++ 12 at
  /// -O2 (CMake's RelWithDebInfo) vectorizes no loop that needs a run-time check that g and y do not
  /// overlap, and this one ran scalar (digits_attention's step 1.85 times -O3's).
  template <std::size_t Count, class S>
  static void times_derivative(S* __restrict g, const S* __restrict y) {
    for (std::size_t i = 0; i < Count; ++i) g[i] *= Act::df(y[i], y[i]);
  }

  template <class Ctx>
  static void forward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = Ctx::batch;
    S* y = c.template value<lanes_affine_node>();
    const S* b = c.template value<B>();
    // The bias in the product's store (a row of y is a feature: one bias), the activation after.
    detail::fixed_gemm<true, false, false, N, R, K, detail::gemm_bias::per_row>(c.template value<W>(),
                                                                                c.template value<X>(), y, b);
    if constexpr (!std::is_same_v<Act, identity_op>)
      for (std::size_t i = 0; i < N * R; ++i) y[i] = S(Act::f(y[i]));
  }

  template <class Ctx>
  static void backward(const Ctx& c) {
    using S = typename Ctx::scalar;
    constexpr std::size_t R = Ctx::batch;
    const S* y = c.template value<lanes_affine_node>();
    S* g = c.template grad<lanes_affine_node>();  // becomes z' in place: nothing reads this gradient after us
    if constexpr (!std::is_same_v<Act, identity_op>) times_derivative<N * R>(g, y);
    totals<S, N, !Ctx::template assigns_grad<B>>(c.template grad<B>(),
                                                 [&](std::size_t n) { return row_partials<S, R>(g + n * R); });
    // dW[k][n]: the dot product of row k of x and row n of z', along the batch.
    kernel_gradient<S, R, !Ctx::template assigns_grad<W>>(c.template value<X>(), g, c.template grad<W>());
    if constexpr (needs_grad<X>)
      detail::fixed_gemm<false, false, !Ctx::template assigns_grad<X>, K, R, N>(c.template value<W>(), g,
                                                                               c.template grad<X>());
  }
};

}  // namespace ctgraph
