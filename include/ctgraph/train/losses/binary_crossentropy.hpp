// L = mean over samples of mean_j softplus(z_j) - t_j z_j, z the logit under the output's sigmoid
//   (tf.keras' binary cross-entropy on a sigmoid output; exact, no clipping)
// dL/dz_j = (sigmoid(z_j) - t_j) / (width * count): folded into the output node,
// whose own backward is skipped, so a saturated sigmoid never divides 0 by 0.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "ctgraph/detail/fast_log.hpp"
#include "ctgraph/detail/fuse.hpp"

namespace ctgraph {

namespace detail {
/// binary_crossentropy's check of the graph, made at the call (detail/call_site_check.hpp).
template <bool EndsInSigmoid>
struct graph_ends_in_sigmoid {
  static constexpr bool holds = EndsInSigmoid;
  constexpr graph_ends_in_sigmoid() {
    static_assert(EndsInSigmoid,
                  "ctgraph: binary_crossentropy: the graph must end in a sigmoid (the loss is taken from its logit)");
  }
};
}  // namespace detail

struct binary_crossentropy {
  static constexpr std::string_view name = "binary_crossentropy";
  template <class Plan>
  static constexpr bool folds_output = !std::is_void_v<typename detail::sigmoid_logit<typename Plan::graph>::type>;
  /// The node whose gradient the loss writes (the output's logit).
  template <class Plan>
  using gradient_node = typename detail::sigmoid_logit<typename Plan::graph>::type;
  template <class Plan>
  using graph_check = detail::graph_ends_in_sigmoid<folds_output<Plan>>;

  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    // The graph is checked at the user's call (graph_check); without a sigmoid this computes nothing.
    if constexpr (folds_output<typename Ctx::plan>) {
      using S = typename Ctx::scalar;
      using out = typename Ctx::plan::graph;
      using logit = typename detail::sigmoid_logit<out>::type;
      constexpr std::size_t width = out::shape::size;
      const S* z = c.template value<logit>();
      const S* y = c.template value<out>();
      const S scale = S(1) / S(width * count);
      const std::size_t n = count * width;
      if (with_gradient) {
        S* dz = c.template grad<logit>();
        for (std::size_t i = 0; i < n; ++i) dz[i] += scale * (y[i] - target[i]);
      }
      // log(1 + e^-|z|) a block at a time, in a loop of its own that vectorizes (for float); the
      // sum in double, in order.
      constexpr std::size_t block = 64;
      std::array<S, block> softplus;
      double total = 0;
      for (std::size_t at = 0; at < n; at += block) {
        const std::size_t m = std::min(block, n - at);
        for (std::size_t i = 0; i < m; ++i) softplus[i] = detail::log1p_exp_negative(std::abs(z[at + i]));
        for (std::size_t i = 0; i < m; ++i) {
          const double zi = z[at + i], ti = target[at + i];
          total += std::max(zi, 0.0) - ti * zi + double(softplus[i]);
        }
      }
      return total / double(width);
    } else {
      return 0.0;
    }
  }
};

}  // namespace ctgraph
