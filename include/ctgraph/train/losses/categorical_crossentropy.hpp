// L = mean over samples of -log(y_t) = logsumexp(z) - z_t, y = softmax(z) the graph's output, t the class
//   (Keras' sparse_categorical_crossentropy on a softmax output; PyTorch's CrossEntropyLoss of z)
//   The target row holds the class index as a number; the loss is taken from the logit z, exactly.
// dL/dz_j = (y_j - [j == t]) / count: folded into the output's softmax, whose own backward is skipped.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/softmax.hpp"
#include "ctgraph/train/losses/class_label.hpp"
#include "ctgraph/train/losses/log_sum_exp.hpp"

namespace ctgraph {

namespace detail {
/// The node under the output's final softmax along its only axis, or void when there is none.
template <class N>
struct softmax_logit {
  using type = void;
};
template <class N>
  requires is_layer<N>::value
struct softmax_logit<N> : softmax_logit<typename N::inner> {};
template <class A>
struct softmax_logit<softmax_node<0, A>> {
  using type = std::conditional_t<A::shape::rank == 1, A, void>;
};

/// categorical_crossentropy's check of the graph, made at the call (detail/call_site_check.hpp).
template <bool EndsInSoftmax>
struct graph_ends_in_softmax {
  static constexpr bool holds = EndsInSoftmax;
  constexpr graph_ends_in_softmax() {
    static_assert(EndsInSoftmax,
                  "ctgraph: categorical_crossentropy: the graph must end in a softmax over a vector of classes "
                  "(for an output of logits use softmax_cross_entropy)");
  }
};
}  // namespace detail

struct categorical_crossentropy {
  static constexpr std::string_view name = "categorical_crossentropy";
  template <class Plan>
  static constexpr bool folds_output = !std::is_void_v<typename detail::softmax_logit<typename Plan::graph>::type>;
  /// The node whose gradient the loss writes (the output's logit).
  template <class Plan>
  using gradient_node = typename detail::softmax_logit<typename Plan::graph>::type;
  template <class Plan>
  using graph_check = detail::graph_ends_in_softmax<folds_output<Plan>>;
  /// One number per sample: the class.
  template <std::size_t OutputSize>
  static constexpr std::size_t target_width = 1;

  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    // The loss is read from the logit: it needs the softmax at the graph's end, which is checked at the
    // user's call (graph_check); without one this computes nothing.
    if constexpr (folds_output<typename Ctx::plan>) {
      using S = typename Ctx::scalar;
      using out = typename Ctx::plan::graph;
      using logit = typename detail::softmax_logit<out>::type;
      constexpr std::size_t classes = out::shape::size;
      const S* z = c.template value<logit>();
      const S* y = c.template value<out>();
      double total = 0;
      detail::log_sum_exp_rows<classes, S> lse;
      for (std::size_t first = 0; first < count; first += lse.block) {
        const std::size_t rows = std::min(lse.block, count - first);
        lse.compute(z + first * classes, rows);
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t at = first + r;
          const std::size_t t = detail::class_label(double(target[at]), classes, at, name);
          total += lse.value(r) - double(z[at * classes + t]);
          if (with_gradient) {
            S* d = c.template grad<logit>() + at * classes;
            for (std::size_t j = 0; j < classes; ++j) d[j] += (y[at * classes + j] - S(j == t)) / S(count);
          }
        }
      }
      return total;
    } else {
      return 0.0;
    }
  }
};

}  // namespace ctgraph
