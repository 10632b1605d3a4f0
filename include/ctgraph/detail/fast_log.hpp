// log for float as straight-line arithmetic, so that loops of them vectorize (the
// cross-entropy losses: train/losses/log_sum_exp.hpp, binary_crossentropy): log x over normal
// floats, and log(1 + u) for u in [0, 1] that keeps small u's digits. Within 3 ulp of the double
// result (tests). double keeps libm, as fast_math.hpp's exp does.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "ctgraph/detail/fast_math.hpp"

namespace ctgraph::detail {

/// log(1 + u) for u in [0, 1] without libm: 2 atanh(s) with s = u / (2 + u) <= 1/3, its series
/// in s^2 to s^14 (the next term is under 2e-8 of the sum), so that small u keeps its digits.
inline float log1p_unit_float(float u) {
  const float s = u / (2.0f + u), s2 = s * s;
  float p = 1.0f / 15;
  p = std::fma(p, s2, 1.0f / 13);
  p = std::fma(p, s2, 1.0f / 11);
  p = std::fma(p, s2, 1.0f / 9);
  p = std::fma(p, s2, 1.0f / 7);
  p = std::fma(p, s2, 1.0f / 5);
  p = std::fma(p, s2, 1.0f / 3);
  p = std::fma(p, s2, 1.0f);
  return 2.0f * s * p;
}

/// log x for a finite x >= float's smallest normal, without libm: x = 2^k m with m in
/// [sqrt(1/2), sqrt(2)), then log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, its series
/// in s^2 to s^10 (the next term is under 3e-9 of the sum); k ln2 in two parts.
inline float log_float(float x) {
  const auto bits = std::bit_cast<std::int32_t>(x);
  std::int32_t k = ((bits >> 23) & 0xff) - 127;
  float m = std::bit_cast<float>((bits & 0x007fffff) | 0x3f800000);  // in [1, 2)
  const bool high = m > 1.41421356f;
  m = high ? 0.5f * m : m;
  k += high ? 1 : 0;
  const float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  float p = 1.0f / 11;
  p = std::fma(p, s2, 1.0f / 9);
  p = std::fma(p, s2, 1.0f / 7);
  p = std::fma(p, s2, 1.0f / 5);
  p = std::fma(p, s2, 1.0f / 3);
  p = std::fma(p, s2, 1.0f);
  const float kf = float(k);
  return std::fma(kf, 0.693359375f, std::fma(kf, -2.12194440e-4f, 2.0f * s * p));
}

/// log(1 + e^-a) for a >= 0 (softplus(-a)): the libm-free form for float, std::log1p and
/// std::exp for double.
template <class S>
inline S log1p_exp_negative(S a) {
  if constexpr (std::is_same_v<S, float>)
    return log1p_unit_float(exp_float(-a));
  else
    return std::log1p(std::exp(-a));
}

}  // namespace ctgraph::detail
