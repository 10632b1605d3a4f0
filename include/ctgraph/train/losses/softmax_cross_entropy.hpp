// L = mean over samples of logsumexp(s) - s_t, s the graph's output, t the class index
//   (PyTorch's CrossEntropyLoss; the target row holds the class as a number)
// dL/ds_j = (softmax(s)_j - [j == t]) / count
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "ctgraph/train/losses/class_label.hpp"

namespace ctgraph {

struct softmax_cross_entropy {
  static constexpr std::string_view name = "cross_entropy";
  template <class Plan>
  static constexpr bool folds_output = false;
  /// One number per sample: the class.
  template <std::size_t OutputSize>
  static constexpr std::size_t target_width = 1;

  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    using S = typename Ctx::scalar;
    using out = typename Ctx::plan::graph;
    constexpr std::size_t classes = out::shape::size;
    const S* s = c.template value<out>();
    double total = 0;
    for (std::size_t r = 0; r < count; ++r) {
      const S* row = s + r * classes;
      const std::size_t t = detail::class_label(double(target[r]), classes, r, "softmax_cross_entropy");
      const double peak = *std::max_element(row, row + classes);
      double sum = 0;
      for (std::size_t j = 0; j < classes; ++j) sum += std::exp(double(row[j]) - peak);
      total += peak + std::log(sum) - double(row[t]);
      if (with_gradient) {
        S* d = c.template grad<out>() + r * classes;
        for (std::size_t j = 0; j < classes; ++j)
          d[j] = S((std::exp(double(row[j]) - peak) / sum - (j == t ? 1.0 : 0.0)) / double(count));
      }
    }
    return total;
  }
};

}  // namespace ctgraph
