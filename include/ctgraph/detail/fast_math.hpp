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

/// tanh of a float, or of every lane of a vector of floats, without libm: x P(x^2) / Q(x^2), a
/// (6, 3) rational fitted to tanh(x)/x on [-9, 9] (relative error 7e-9), and +-1 beyond, as float's
/// tanh is: the kind of approximation Eigen's float tanh is (13/6 in x). Both polynomials by
/// Estrin's scheme, so that x -> tanh x is about 24 cycles of latency: fib's SimpleRNN runs through
/// one every step, and the former exp form (above |x| = 0.625) took about 75. Rounding in the
/// evaluation puts it within 5 ulp of tanh; NaN stays NaN, and tiny x is x.
template <class T>
struct tanh_factors {
  T ratio, poly;  // tanh x = ratio poly: x / Q(x^2) and P(x^2), or +-1 and 1 past |x| = 9
};
template <class T>
inline tanh_factors<T> tanh_rational_factors(T x) {
  const T one = T{} + 1.0f, lo = T{} - 9.0f, hi = T{} + 9.0f;
  const T s = x * x, s2 = s * s, s4 = s2 * s2;
  const T p01 = s * 1.3083999e-01f + 1.0f, p23 = s * 1.1154165e-05f + 3.1039435e-03f,
          p45 = s * 5.277602e-11f - 2.0224576e-08f;
  const T p = (s2 * -8.487745e-14f + p45) * s4 + (p23 * s2 + p01);
  const T q = (s * 2.5461262e-04f + 2.449513e-02f) * s2 + (s * 4.6417326e-01f + 1.0f);
  const T ratio = x / q;
  // past 9 (where s may overflow) +-1 exactly
  return {x > hi ? one : (x < lo ? -one : ratio), x > hi ? one : (x < lo ? one : p)};
}
template <class T>
inline T tanh_rational(T x) {
  const tanh_factors<T> f = tanh_rational_factors(x);
  return f.ratio * f.poly;
}

/// tanh for float: tanh_rational. (libm's tanhf took slow paths on the tiny and denormal inputs
/// that fib's data is full of: it was two thirds of that graph's epoch.)
inline float tanh_float(float x) { return tanh_rational(x); }

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
