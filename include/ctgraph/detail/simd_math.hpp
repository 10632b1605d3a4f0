// Float math on whole vectors, in registers: exp (the polynomial of fast_math.hpp's
// exp_float, lane by lane equal to it), reductions across the lanes, and a lane mask.
// For rows short enough to live in a few vectors (softmax over 10-64 features), so that
// a row is loaded once, reduced and transformed in registers, and stored once.
#pragma once

#include <cstdint>
#include <utility>

#include "ctgraph/detail/simd.hpp"

namespace ctgraph::detail {

using float_vector = simd<float>::type;
typedef std::int32_t int_vector __attribute__((vector_size(vector_bytes)));

/// e^x in every lane; 0 below -87.3 (under float's smallest normal), as exp_float.
inline float_vector exp_vector(float_vector x) {
  const float_vector lo = float_vector{} - 87.33654f, hi = float_vector{} + 88.72283f;
  const auto underflow = x < lo;
  x = x < lo ? lo : (x > hi ? hi : x);
  // round to nearest: adding 1.5 * 2^23 leaves no fraction bits (|x log2 e| < 2^22 here)
  const float_vector shifter = float_vector{} + 12582912.0f;
  const float_vector n = (x * 1.44269504088896341f + shifter) - shifter;
  float_vector r = n * -0.693359375f + x;  // ln2 in two parts, so that r keeps its low bits
  r = n * 2.12194440e-4f + r;
  float_vector p = float_vector{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float_vector e = (p * r) * r + r + 1.0f;
  // 2^n, n in [-126, 128): scaled in two halves, as 2^128 would overflow the exponent
  const int_vector n_int = __builtin_convertvector(n, int_vector);
  const int_vector half = n_int / 2;
  const float_vector scale_a = float_vector((half + 127) << 23), scale_b = float_vector((n_int - half + 127) << 23);
  return underflow ? float_vector{} : e * scale_a * scale_b;
}

/// true in lanes [0, Count): the lanes of a row's last, partial vector that are the row's.
template <std::size_t Count>
inline auto first_lanes() {
  int_vector index;
  for (std::size_t l = 0; l < simd<float>::lanes; ++l) index[l] = std::int32_t(l);
  return index < std::int32_t(Count);
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

/// The sum, and the largest, of a vector's lanes: halves folded onto each other.
inline float lanes_sum(float_vector v) {
  return simd_fold::fold<simd<float>::lanes / 2>(v, [](float_vector a, float_vector b) { return a + b; });
}
inline float lanes_max(float_vector v) {
  return simd_fold::fold<simd<float>::lanes / 2>(v, [](float_vector a, float_vector b) { return a > b ? a : b; });
}

}  // namespace ctgraph::detail
