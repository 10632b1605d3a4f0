// L = mean over samples of logsumexp(s) - s_t, s the graph's output, t the class index
//   (PyTorch's CrossEntropyLoss; the target row holds the class as a number)
// dL/ds_j = (softmax(s)_j - [j == t]) / count
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "ctgraph/train/losses/class_label.hpp"
#include "ctgraph/train/losses/log_sum_exp.hpp"

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
    detail::log_sum_exp_rows<classes, S> lse;
    const S share = S(1) / S(count);
    S* const grad = c.template grad<out>();
    for (std::size_t first = 0; first < count; first += lse.block) {
      const std::size_t rows = std::min(lse.block, count - first);
      lse.compute(s + first * classes, rows);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t at = first + r;
        const std::size_t t = detail::class_label(double(target[at]), classes, at, "softmax_cross_entropy");
        total += lse.value(r) - double(s[at * classes + t]);
        if (with_gradient) {  // (softmax_j - [j == t]) / count
          S* d = grad + at * classes;
          const S* e = lse.exps.data() + r * classes;
          const S scale = share / lse.sums[r];
          for (std::size_t j = 0; j < classes; ++j) d[j] = e[j] * scale;
          d[t] -= share;
        }
      }
    }
    return total;
  }
};

}  // namespace ctgraph
