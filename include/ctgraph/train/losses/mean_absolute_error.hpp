// L = mean over samples of mean_j |y_j - t_j|        (Keras' MAE, PyTorch's L1Loss)
// dL/dy_j = sign(y_j - t_j) / (width * count), sign(0) = 0 as in PyTorch
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include "ctgraph/train/losses/elementwise_loss.hpp"

namespace ctgraph {

struct mean_absolute_error {
  static constexpr std::string_view name = "mae";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    return detail::elementwise_loss(c, target, count, with_gradient, [](auto d) {
      using S = decltype(d);
      return std::pair{d < S(0) ? -double(d) : double(d), d > S(0) ? S(1) : (d < S(0) ? S(-1) : S(0))};
    });
  }
};

}  // namespace ctgraph
