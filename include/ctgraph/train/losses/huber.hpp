// L = mean over samples of mean_j h(y_j - t_j),  h(d) = d^2 / 2 where |d| <= delta, else delta (|d| - delta / 2)
//   (PyTorch's HuberLoss and Keras' Huber; both default delta = 1)
// dL/dy_j = h'(d) / (width * count),  h'(d) = d where |d| <= delta, else delta sign(d)
#pragma once

#include <cstddef>
#include <string_view>

namespace ctgraph {

template <double Delta = 1.0>
struct huber {
  static_assert(Delta > 0, "ctgraph: huber<delta>: delta must be positive");
  static constexpr std::string_view name = "huber";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    using S = typename Ctx::scalar;
    using out = typename Ctx::plan::graph;
    constexpr std::size_t width = out::shape::size;
    const S* y = c.template value<out>();
    const S scale = S(1) / S(width * count), delta = S(Delta);
    double total = 0;
    for (std::size_t i = 0; i < count * width; ++i) {
      const S d = y[i] - target[i];
      const S magnitude = d < S(0) ? -d : d;
      const bool quadratic = magnitude <= delta;
      total += quadratic ? 0.5 * double(d) * double(d) : Delta * (double(magnitude) - 0.5 * Delta);
      if (with_gradient) c.template grad<out>()[i] = scale * (quadratic ? d : (d < S(0) ? -delta : delta));
    }
    return total / double(width);
  }
};

}  // namespace ctgraph
