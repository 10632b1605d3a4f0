// exp for float as straight-line arithmetic, so that a loop of them vectorizes (a
// call into libm's expf per element does not, and was a quarter of the training
// step's own time in softmax epilogues). Range reduction x = n ln2 + r, |r| <= ln2/2,
// then Cephes' degree-7 polynomial for e^r and 2^n from the exponent bits: within
// 2 ulp of std::exp over the whole float range. double keeps std::exp, so that
// gradient checks in double compare against the exact function.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace ctgraph::detail {

/// NonPositive: x <= 0 (x - max x), as simd_math.hpp's exp_lanes: no upper clamp, one scaling, the same bits.
template <bool NonPositive = false>
inline float exp_float(float x) {
  // Below -87.3 the result is under float's smallest normal: 0, as softmax wants it.
  const bool underflow = x < -87.33654f;
  if constexpr (NonPositive)
    x = x < -87.33654f ? -87.33654f : x;
  else
    x = x < -87.33654f ? -87.33654f : (x > 88.72283f ? 88.72283f : x);  // std::fmin/fmax are libm calls
  const float n = std::nearbyint(x * 1.44269504088896341f);
  float r = std::fma(n, -0.693359375f, x);  // ln2 in two parts, so that r keeps its low bits
  r = std::fma(n, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  const float e = std::fma(p * r, r, r) + 1.0f;
  // 2^n, n in [-126, 128): 2^128 would overflow the exponent, so scale in two halves.
  const auto n_int = static_cast<std::int32_t>(n);
  if constexpr (NonPositive) return underflow ? 0.0f : e * std::bit_cast<float>(static_cast<std::int32_t>((n_int + 127) << 23));
  const float half = std::bit_cast<float>(static_cast<std::int32_t>((n_int / 2 + 127) << 23));
  const float rest = std::bit_cast<float>(static_cast<std::int32_t>((n_int - n_int / 2 + 127) << 23));
  return underflow ? 0.0f : e * half * rest;
}

/// tanh for float without libm: Cephes' odd polynomial below |x| = 0.625 (where 1 - 2/(e^2x + 1)
/// would cancel), that formula above. libm's tanhf takes slow paths on tiny and denormal inputs,
/// which fib's data is full of: it was two thirds of that graph's epoch.
inline float tanh_float(float x) {
  const float z = std::fabs(x);
  const float s = x * x;
  const float small =
      ((((-5.70498872745e-3f * s + 2.06390887954e-2f) * s - 5.37397155531e-2f) * s + 1.33314422036e-1f) * s -
       3.33332819422e-1f) * s * x + x;
  const float big = 1.0f - 2.0f / (exp_float(2.0f * z) + 1.0f);
  return z > 0.625f ? std::copysign(big, x) : small;
}

/// tanh: the libm-free form for float, std::tanh for double.
template <class S>
inline S tanh(S x) {
  if constexpr (std::is_same_v<S, float>)
    return tanh_float(x);
  else
    return std::tanh(x);
}

/// e^x: the vectorizable form for float, std::exp for double.
template <class S>
inline S exp(S x) {
  if constexpr (std::is_same_v<S, float>)
    return exp_float(x);
  else
    return std::exp(x);
}

}  // namespace ctgraph::detail
