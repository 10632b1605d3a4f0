// L = mean over samples of mean_j (y_j - t_j)^2        (Keras' and PyTorch's MSE)
// dL/dy_j = 2 (y_j - t_j) / (width * count)
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include "ctgraph/train/losses/elementwise_loss.hpp"

namespace ctgraph {

struct mean_squared_error {
  static constexpr std::string_view name = "mse";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    return detail::elementwise_loss(c, target, count, with_gradient, [](auto d) {
      return std::pair{double(d) * double(d), decltype(d)(2) * d};
    });
  }
};

}  // namespace ctgraph
