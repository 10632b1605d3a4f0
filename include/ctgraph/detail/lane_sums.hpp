// The totals of M vectors' lanes, M a power of two up to a vector's lanes: each one's sum.
// Folding each vector on itself takes log2(L) shuffles a total, with every step waiting on the one
// before. Folded together, pairs of vectors first trade halves (vector a's halves beside b's in one
// vector), so that each shuffle works for several totals: M vectors of 16 floats take 15 shuffle
// pairs instead of 64 shuffles. With the batch along the lanes (ops/lanes_affine.hpp), a bias's
// gradient is the totals of its rows and a kernel's those of products of rows.
// Every function here is always inlined: at -O2 g++ 12 called them out of line, with their
// vectors through memory (iris_attention's kernel gradients took 2.2 times as long as at -O3).
#pragma once

#include <cstddef>
#include <utility>

#include "ctgraph/detail/simd.hpp"

namespace ctgraph::detail {

template <class S>
struct lane_sums {
  using vector = typename simd<S>::type;
  static constexpr std::size_t L = simd<S>::lanes;

  /// From two vectors holding P = L / W totals each, in segments of W lanes, one holding 2P in
  /// segments of W / 2: the segments' first (High false) or second halves, a's then b's.
  template <std::size_t W, bool High, std::size_t... I>
  [[gnu::always_inline]] static vector halves(vector a, vector b, std::index_sequence<I...>) {
    constexpr std::size_t P = L / W, h = W / 2;
    return __builtin_shufflevector(
        a, b, ((I / h < P ? (I / h) * W : L + (I / h - P) * W) + I % h + (High ? h : 0))...);
  }

  /// v[0, Count) each holding L / W totals: halved in pairs until one vector is left.
  template <std::size_t Count, std::size_t W, std::size_t M>
  [[gnu::always_inline]] static void pair_up(vector (&v)[M]) {
    if constexpr (Count > 1) {
      for (std::size_t i = 0; i < Count / 2; ++i)
        v[i] = halves<W, false>(v[2 * i], v[2 * i + 1], std::make_index_sequence<L>{}) +
               halves<W, true>(v[2 * i], v[2 * i + 1], std::make_index_sequence<L>{});
      pair_up<Count / 2, W / 2>(v);
    }
  }

  template <std::size_t Shift, std::size_t... I>
  [[gnu::always_inline]] static vector shifted(vector v, std::index_sequence<I...>) {
    return __builtin_shufflevector(v, v, ((I + Shift) % L)...);
  }
  /// Each segment of W lanes summed into its first lane.
  template <std::size_t W>
  [[gnu::always_inline]] static vector fold_segments(vector v) {
    if constexpr (W == 1)
      return v;
    else
      return fold_segments<W / 2>(v + shifted<W / 2>(v, std::make_index_sequence<L>{}));
  }

  /// out[m] (+)= the total of v[m]'s lanes, m < M. v is overwritten.
  template <bool Accumulate, std::size_t M>
  [[gnu::always_inline]] static void totals(vector (&v)[M], S* out) {
    static_assert(M >= 1 && M <= L && (M & (M - 1)) == 0, "ctgraph: internal: lane_sums of a power of two of vectors");
    pair_up<M, L>(v);
    constexpr std::size_t W = L / M;
    const vector t = fold_segments<W>(v[0]);
    for (std::size_t m = 0; m < M; ++m) out[m] = Accumulate ? out[m] + t[m * W] : t[m * W];
  }
};

}  // namespace ctgraph::detail
