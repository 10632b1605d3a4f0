// Float math on whole vectors, in registers: exp (the polynomial of fast_math.hpp's
// exp_float, lane by lane equal to it), reductions across the lanes, and a lane mask.
// For rows short enough to live in a few vectors (softmax over 10-64 features), so that
// a row is loaded once, reduced and transformed in registers, and stored once.
#pragma once

#include <cstdint>
#include <utility>

#include "ctgraph/detail/simd.hpp"

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace ctgraph::detail {

using float_vector = simd<float>::type;
typedef std::int32_t int_vector __attribute__((vector_size(vector_bytes)));

/// e^x in every lane of a vector of Bytes bytes of floats; 0 below -87.3 (under float's smallest
/// normal), as exp_float. (Bytes is given, not deduced: g++ deduces a vector type as its element.)
/// NonPositive: every x is at most 0 (softmax's x - max x, a sigmoid's -|x|), so that 2^n is one
/// normal number, and x needs no clamp above: the same bits in 6 fewer operations of about 25.
template <std::size_t Bytes, bool NonPositive = false>
inline typename simd<float, Bytes>::type exp_lanes(typename simd<float, Bytes>::type x) {
  using V = typename simd<float, Bytes>::type;
  using int_lanes = typename simd<std::int32_t, Bytes>::type;
  const V lo = V{} - 87.33654f, hi = V{} + 88.72283f;
  const auto underflow = x < lo;
  if constexpr (NonPositive)
    x = x < lo ? lo : x;
  else
    x = x < lo ? lo : (x > hi ? hi : x);
  // round to nearest: adding 1.5 * 2^23 leaves no fraction bits (|x log2 e| < 2^22 here)
  const V shifter = V{} + 12582912.0f;
  const V n = (x * 1.44269504088896341f + shifter) - shifter;
  V r = n * -0.693359375f + x;  // ln2 in two parts, so that r keeps its low bits
  r = n * 2.12194440e-4f + r;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const V e = (p * r) * r + r + 1.0f;
  // 2^n, n in [-126, 128): scaled in two halves, as 2^128 would overflow the exponent
  const int_lanes n_int = __builtin_convertvector(n, int_lanes);
  if constexpr (NonPositive) {  // n in [-126, 0]: e 2^n is e 2^(n/2) 2^(n - n/2), the first product exact
    return underflow ? V{} : e * V((n_int + 127) << 23);
  } else {
    const int_lanes half = n_int / 2;
    const V scale_a = V((half + 127) << 23), scale_b = V((n_int - half + 127) << 23);
    return underflow ? V{} : e * scale_a * scale_b;
  }
}

/// e^x in every lane of a vector of the build's width (of x <= 0: NonPositive, exp_lanes).
template <bool NonPositive = false>
inline float_vector exp_vector(float_vector x) { return exp_lanes<vector_bytes, NonPositive>(x); }

/// x, 128 or 256 bits narrower than the build's vectors, in the first lanes of one of them and 0 in
/// the others: as a narrower result already is in its register. (A shuffle with a vector of zeros
/// cost a permute from a table; g++ 12's _mm512_zextps*_ps512 trip its -Wuninitialized and failed
/// with an internal error in softmax over rows of 36. A cast and a zeroing move do neither.)
template <std::size_t Bytes>
inline float_vector zero_extend(typename simd<float, Bytes>::type x) {
  static_assert(Bytes < vector_bytes, "ctgraph: internal: zero_extend widens a narrower vector");
#if defined(__AVX512F__)
  if constexpr (Bytes == 16)
    return float_vector(_mm512_maskz_mov_ps(0x000f, _mm512_castps128_ps512(__m128(x))));
  else
    return float_vector(_mm512_maskz_mov_ps(0x00ff, _mm512_castps256_ps512(__m256(x))));
#elif defined(__AVX__)
  return float_vector(_mm256_zextps128_ps256(__m128(x)));
#else
  return x;  // not reached: a build of 128-bit vectors has none narrower
#endif
}

/// exp_vector of lanes [0, Count), computed in the narrowest vector that holds them (128, 256 or
/// the build's bits) and zero-extended: lanes past that vector are 0. A row of 20 floats leaves 4
/// in its second 512-bit vector, whose exp on a core that runs 512-bit operations as two 256-bit
/// halves cost as much as the first's; in 128 bits, a quarter of that.
template <std::size_t Count, bool NonPositive = false>
inline float_vector exp_first_lanes(float_vector x) {
  constexpr std::size_t bytes = bytes_for<float, Count>;
  if constexpr (bytes == vector_bytes)
    return exp_vector<NonPositive>(x);
  else
    return zero_extend<bytes>(exp_lanes<bytes, NonPositive>(lanes_at<bytes>(x)));
}

/// 0, 1, 2, ... in the lanes.
inline int_vector lane_index() {
  int_vector index;
  for (std::size_t l = 0; l < simd<float>::lanes; ++l) index[l] = std::int32_t(l);
  return index;
}

/// true in lanes [0, Count): the lanes of a row's last, partial vector that are the row's.
template <std::size_t Count>
inline auto first_lanes() {
  return lane_index() < std::int32_t(Count);
}

/// Whether any lane of v is not 0 (a comparison's mask: whether it held anywhere).
inline bool any_lane(const int_vector& v) {
#if defined(__AVX512F__)
  return _mm512_test_epi32_mask(__m512i(v), __m512i(v)) != 0;
#elif defined(__AVX__)
  return !_mm256_testz_si256(__m256i(v), __m256i(v));
#else
  bool any = false;
  for (std::size_t l = 0; l < simd<float>::lanes; ++l) any |= v[l] != 0;
  return any;
#endif
}

namespace simd_fold {
template <std::size_t Half, std::size_t... I>
inline float_vector upper_half(float_vector v, std::index_sequence<I...>) {
  return __builtin_shufflevector(v, v, ((I + Half) % simd<float>::lanes)...);
}
template <std::size_t Half, class Op>
inline float fold(float_vector v, Op op) {
  if constexpr (Half == 0)
    return v[0];
  else
    return fold<Half / 2>(op(v, upper_half<Half>(v, std::make_index_sequence<simd<float>::lanes>{})), op);
}
}  // namespace simd_fold

/// The sum (Op +) or the largest (Op max) of each of four vectors of 16 floats' lanes, folded together: the first
/// two halvings pair the vectors' halves up (a's and b's in one vector, then all four's quarters),
/// the last two run on all four at once. The same additions in the same order as four folds, so
/// the same bits, in 8 shuffles instead of 16. Each result is broadcast into its vector's lanes.
#if defined(__AVX512F__)
template <class Op>
inline void fold_four(float_vector (&v)[4], Op op) {
  const float_vector ab = op(__builtin_shufflevector(v[0], v[1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
                             __builtin_shufflevector(v[0], v[1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
  const float_vector cd = op(__builtin_shufflevector(v[2], v[3], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23),
                             __builtin_shufflevector(v[2], v[3], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31));
  // Lanes 4q .. 4q + 3: vector q's quarter sums.
  const float_vector quarters = op(__builtin_shufflevector(ab, cd, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27),
                                   __builtin_shufflevector(ab, cd, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31));
  const float_vector pairs = op(quarters, __builtin_shufflevector(quarters, quarters, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  const float_vector ones = op(pairs, __builtin_shufflevector(pairs, pairs, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
  v[0] = __builtin_shufflevector(ones, ones, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  v[1] = __builtin_shufflevector(ones, ones, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4);
  v[2] = __builtin_shufflevector(ones, ones, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8);
  v[3] = __builtin_shufflevector(ones, ones, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12);
}
#endif

/// Each of G vectors folded across its lanes by op (+ for sums, max for the largest), halves onto
/// each other, the result in all its lanes: four vectors of 16 at once (fold_four, with AVX-512),
/// else one by one.
template <std::size_t G, class Op>
inline void fold_rows(float_vector (&v)[G], Op op) {
#if defined(__AVX512F__)
  if constexpr (G == 4) {
    fold_four(v, op);
    return;
  }
#endif
  for (std::size_t q = 0; q < G; ++q) v[q] = float_vector{} + simd_fold::fold<simd<float>::lanes / 2>(v[q], op);
}

}  // namespace ctgraph::detail
