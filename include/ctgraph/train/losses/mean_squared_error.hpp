// L = mean over samples of mean_j (y_j - t_j)^2        (Keras' and PyTorch's MSE)
// dL/dy_j = 2 (y_j - t_j) / (width * count)
#pragma once

#include <cstddef>
#include <string_view>

namespace ctgraph {

struct mean_squared_error {
  static constexpr std::string_view name = "mse";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    using S = typename Ctx::scalar;
    using out = typename Ctx::plan::graph;
    constexpr std::size_t width = out::shape::size;
    const S* y = c.template value<out>();
    const S scale = S(2) / S(width * count);
    double total = 0;
    for (std::size_t i = 0; i < count * width; ++i) {
      const S d = y[i] - target[i];
      total += double(d) * double(d);
      if (with_gradient) c.template grad<out>()[i] = scale * d;
    }
    return total / double(width);
  }
};

}  // namespace ctgraph
