// L = mean over samples of mean_j |y_j - t_j|        (Keras' MAE, PyTorch's L1Loss)
// dL/dy_j = sign(y_j - t_j) / (width * count), sign(0) = 0 as in PyTorch
#pragma once

#include <cstddef>
#include <string_view>

namespace ctgraph {

struct mean_absolute_error {
  static constexpr std::string_view name = "mae";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    using S = typename Ctx::scalar;
    using out = typename Ctx::plan::graph;
    constexpr std::size_t width = out::shape::size;
    const S* y = c.template value<out>();
    const S scale = S(1) / S(width * count);
    double total = 0;
    for (std::size_t i = 0; i < count * width; ++i) {
      const S d = y[i] - target[i];
      total += d < S(0) ? -double(d) : double(d);
      if (with_gradient) c.template grad<out>()[i] = d > S(0) ? scale : (d < S(0) ? -scale : S(0));
    }
    return total / double(width);
  }
};

}  // namespace ctgraph
