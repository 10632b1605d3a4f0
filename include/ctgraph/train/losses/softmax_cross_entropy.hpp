// L = mean over samples of logsumexp(s) - s_t, s the graph's output, t the class index
//   (PyTorch's CrossEntropyLoss; the target row holds the class as a number)
// dL/ds_j = (softmax(s)_j - [j == t]) / count
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
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
    std::array<std::size_t, lse.block> label;
    std::array<S, lse.block> scale;
    for (std::size_t first = 0; first < count; first += lse.block) {
      const std::size_t rows = std::min(lse.block, count - first);
      lse.compute(s + first * classes, rows);
      // The labels checked in a pass that vectorizes; a bad one is then looked for and named.
      bool whole_classes = true;
      for (std::size_t r = 0; r < rows; ++r) whole_classes &= detail::is_class(target[first + r], classes);
      for (std::size_t r = 0; r < rows; ++r)
        label[r] = whole_classes ? std::size_t(std::uint32_t(target[first + r]))
                                 : detail::class_label(double(target[first + r]), classes, first + r, "softmax_cross_entropy");
      for (std::size_t r = 0; r < rows; ++r) total += lse.value(r) - double(s[(first + r) * classes + label[r]]);
      if (with_gradient) {  // (softmax_j - [j == t]) / count
        for (std::size_t r = 0; r < rows; ++r) scale[r] = share / lse.sums[r];
        S* d = grad + first * classes;
        if constexpr (lse.by_columns) {  // a class's column at a time, products first, then each row's own class
          for (std::size_t j = 0; j < classes; ++j)
            for (std::size_t r = 0; r < rows; ++r) lse.exps[j * lse.block + r] *= scale[r];
          for (std::size_t j = 0; j < classes; ++j)  // x - 0 is x: only the row's class changes
            for (std::size_t r = 0; r < rows; ++r) lse.exps[j * lse.block + r] -= label[r] == j ? share : S(0);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t j = 0; j < classes; ++j) d[r * classes + j] = lse.exps[j * lse.block + r];
        } else {
          for (std::size_t r = 0; r < rows; ++r) {
            const S* e = lse.exps.data() + r * classes;
            for (std::size_t j = 0; j < classes; ++j) d[r * classes + j] = e[j] * scale[r];
            d[r * classes + label[r]] -= share;
          }
        }
      }
    }
    return total;
  }
};

}  // namespace ctgraph
