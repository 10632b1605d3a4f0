// The element-wise arithmetic of a recurrent cell's gates, a row of N at a time in whole
// vectors: sigmoid and tanh in registers (float: the polynomials of fast_math.hpp, lane by
// lane the values of sigmoid_op and tanh_float; double: the scalar functions, as the
// generic ops use them), and a loop over a row in chunks of a vector with a masked last one.
// A cell's gates were scalar loops of exp calls: three quarters of a GRU's training step.
#pragma once

#include <cmath>
#include <cstddef>

#include "ctgraph/detail/simd_math.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph::detail {

template <class S>
struct gate_lanes;

template <>
struct gate_lanes<float> {
  using type = float_vector;
  static constexpr std::size_t width = simd<float>::lanes;
  template <std::size_t Count>
  static type load(const float* p) {
    return simd<float>::load<Count>(p);
  }
  template <std::size_t Count>
  static void store(float* p, type v) {
    simd<float>::store<Count>(p, v);
  }
  static type abs(type x) { return x < 0.0f ? -x : x; }
  /// sigmoid_op::f in every lane: 1 / (1 + e^-x) above zero, e^x / (1 + e^x) below, e = e^-|x|.
  static type sigmoid(type x) {
    const type e = exp_vector<true>(-abs(x));
    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
  }
  /// tanh_float in every lane.
  static type tanh(type x) { return tanh_rational(x); }
};

/// double: one lane, the generic ops' own functions (gradient checks compare against these).
template <>
struct gate_lanes<double> {
  using type = double;
  static constexpr std::size_t width = 1;
  template <std::size_t Count>
  static type load(const double* p) {
    return *p;
  }
  template <std::size_t Count>
  static void store(double* p, type v) {
    *p = v;
  }
  static type sigmoid(type x) { return sigmoid_op::f(x); }
  static type tanh(type x) { return std::tanh(x); }
};

/// f.template operator()<Count>(j) for j = 0, w, 2w, ... < N: chunks of a vector, the last Count < w.
template <class S, std::size_t N, class F>
inline void for_each_chunk(F&& f) {
  constexpr std::size_t w = gate_lanes<S>::width, full = N / w * w;
  for (std::size_t j = 0; j < full; j += w) f.template operator()<w>(j);
  if constexpr (full < N) f.template operator()<N - full>(full);
}

/// to[c * rows + r] = from[r * cols + c]: a matrix transposed once, so that products with it read rows.
template <std::size_t Rows, std::size_t Cols, class S>
inline void transpose_into(const S* __restrict from, S* __restrict to) {
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t c = 0; c < Cols; ++c) to[c * Rows + r] = from[r * Cols + c];
}

}  // namespace ctgraph::detail
