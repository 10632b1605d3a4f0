// Adam, one pass over the flat parameter buffer, in either framework's form:
//   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2        (g += wd p first: PyTorch's L2 weight decay)
//   Keras:   p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)               eps 1e-7
//   PyTorch: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)             eps 1e-8
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ctgraph/detail/simd.hpp"

namespace ctgraph {

enum class adam_form { keras, pytorch };

namespace detail {
/// 1 - beta^t, Adam's bias correction. Once t (1 - beta) > 40, beta^t < e^-40 (ln beta <= beta - 1),
/// under half an ulp of 1, so the result is 1 exactly without pow, which takes a slow path where
/// beta^t underflows: 0.9^t past t = 7000 cost 27 ns a call, a twentieth of fib's training step.
inline double bias_correction(double beta, std::uint64_t t) {
  if (beta >= 0.0 && double(t) * (1.0 - beta) > 40.0) return 1.0;
  return 1.0 - std::pow(beta, double(t));
}
}  // namespace detail

struct adam {
  double learning_rate = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
  double weight_decay = 0.0;
  adam_form form = adam_form::keras;

  /// state holds m then v, n each; t counts steps from 1.
  template <class S>
  void update(S* p, const S* g, S* state, std::size_t n, std::uint64_t t) const {
    S* m = state;
    S* v = state + n;
    const S b1 = S(beta1), b2 = S(beta2), wd = S(weight_decay), eps = S(epsilon);
    const double c1 = detail::bias_correction(beta1, t), c2 = detail::bias_correction(beta2, t);
    // The moments of a vector of values (each_value gives the parameters to it a vector at a time).
    const auto moments = [&](auto& pi, auto gi, auto& mi, auto& vi) {
      gi = gi + wd * pi;
      mi = b1 * mi + (S(1) - b1) * gi;
      vi = b2 * vi + (S(1) - b2) * gi * gi;
    };
    if (form == adam_form::keras) {
      const S step = S(learning_rate * std::sqrt(c2) / c1);
      each_value(p, g, m, v, n, [&](auto& pi, auto gi, auto& mi, auto& vi) {
        moments(pi, gi, mi, vi);
        pi -= step * mi / (detail::sqrt_lanes(vi) + eps);
      });
    } else {
      const S step = S(learning_rate / c1), root_c2 = S(std::sqrt(c2));
      each_value(p, g, m, v, n, [&](auto& pi, auto gi, auto& mi, auto& vi) {
        moments(pi, gi, mi, vi);
        pi -= step * mi / (detail::sqrt_lanes(vi) / root_c2 + eps);
      });
    }
  }

 private:
  // f(p, g, m, v) over vectors of the build's width, the values past the last whole one in one more
  // (its other lanes zero), so that every value's step is the same vector code. Written out rather
  // than left to the compiler, which vectorizes std::sqrt only under -fno-math-errno
  // (detail::sqrt_lanes), and whose vector and scalar forms of a loop may contract a * b + c into
  // fused multiply-adds differently: a parameter's bits would depend on where it sits.
  template <class S, class F>
  static void each_value(S* p, const S* g, S* m, S* v, std::size_t n, F f) {
    using lanes = detail::simd<S>;
    using vec = typename lanes::type;
    std::size_t i = 0;
    for (; i + lanes::lanes <= n; i += lanes::lanes) {
      vec pi, gi, mi, vi;
      std::memcpy(&pi, p + i, sizeof pi), std::memcpy(&gi, g + i, sizeof gi);
      std::memcpy(&mi, m + i, sizeof mi), std::memcpy(&vi, v + i, sizeof vi);
      f(pi, gi, mi, vi);
      std::memcpy(p + i, &pi, sizeof pi), std::memcpy(m + i, &mi, sizeof mi), std::memcpy(v + i, &vi, sizeof vi);
    }
    if (const std::size_t rest = n - i; rest > 0) {
      vec pi = lanes::load_first(p + i, rest), gi = lanes::load_first(g + i, rest);
      vec mi = lanes::load_first(m + i, rest), vi = lanes::load_first(v + i, rest);
      f(pi, gi, mi, vi);
      lanes::store_first(p + i, pi, rest), lanes::store_first(m + i, mi, rest), lanes::store_first(v + i, vi, rest);
    }
  }
};

/// tf.keras.optimizers.Adam(learning_rate) with its defaults.
constexpr adam keras_adam(double learning_rate = 0.001) { return {.learning_rate = learning_rate}; }

/// torch.optim.Adam(lr, weight_decay) with its defaults.
constexpr adam torch_adam(double learning_rate = 0.001, double weight_decay = 0.0) {
  return {.learning_rate = learning_rate, .epsilon = 1e-8, .weight_decay = weight_decay, .form = adam_form::pytorch};
}

}  // namespace ctgraph
