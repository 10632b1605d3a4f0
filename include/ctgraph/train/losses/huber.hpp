// L = mean over samples of mean_j h(y_j - t_j),  h(d) = d^2 / 2 where |d| <= delta, else delta (|d| - delta / 2)
//   (PyTorch's HuberLoss and Keras' Huber; both default delta = 1)
// dL/dy_j = h'(d) / (width * count),  h'(d) = d where |d| <= delta, else delta sign(d)
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include "ctgraph/real.hpp"
#include "ctgraph/train/losses/elementwise_loss.hpp"

namespace ctgraph {

template <real Delta = 1.0>
struct huber {
  static_assert(Delta > 0, "ctgraph: huber<delta>: delta must be positive");
  static constexpr std::string_view name = "huber";
  template <class Plan>
  static constexpr bool folds_output = false;

  /// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    return detail::elementwise_loss(c, target, count, with_gradient, [](auto d) {
      using S = decltype(d);
      const S magnitude = d < S(0) ? -d : d, delta = S(Delta);
      const bool quadratic = magnitude <= delta;
      return std::pair{quadratic ? 0.5 * double(d) * double(d) : Delta * (double(magnitude) - 0.5 * Delta),
                       quadratic ? d : (d < S(0) ? -delta : delta)};
    });
  }
};

}  // namespace ctgraph
