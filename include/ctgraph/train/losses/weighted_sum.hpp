// L = Wa La(a, ta) + Wb Lb(b, tb), a and b the two outputs of outputs(a, b)
// dL/da = Wa dLa/da, dL/db = Wb dLb/db: each loss writes its output's gradient (or its logit's,
// when it folds into a final sigmoid or softmax), which is then scaled by its weight.
// Targets: target() holds a's Batch rows first (La's width each), then b's Batch rows.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "ctgraph/detail/call_site_check.hpp"
#include "ctgraph/detail/plan.hpp"
#include "ctgraph/real.hpp"
#include "ctgraph/ops/outputs.hpp"
#include "ctgraph/train/fit.hpp"

namespace ctgraph {

namespace detail {
/// Plan with another node as its output: what one loss of several sees.
template <class Plan, class Output>
struct plan_with_output : Plan {
  using graph = Output;
};
// The node whose gradient a loss writes: its output's, or the logit's it folds into. (A
// template, not a lambda in decltype: clang 14 crashes on that with a precompiled header.)
template <class Loss, class Plan, class Output, bool Folds = Loss::template folds_output<Plan>>
struct written_gradient {
  using type = Output;
};
template <class Loss, class Plan, class Output>
struct written_gradient<Loss, Plan, Output, true> {
  using type = typename Loss::template gradient_node<Plan>;
};

/// weighted_sum's check of the graph, made at the call (detail/call_site_check.hpp): it ends in
/// outputs(a, b); then each loss's own check of its output is made.
template <bool EndsInOutputs>
struct graph_ends_in_outputs {
  static constexpr bool holds = EndsInOutputs;
  constexpr graph_ends_in_outputs() {
    static_assert(EndsInOutputs, "ctgraph: weighted_sum<wa, loss_a, wb, loss_b>: the graph must end in outputs(a, b)");
  }
};
// The losses' checks are looked up on their outputs' plans only when there are two outputs.
template <class LossA, class LossB, class Plan, bool = is_outputs<typename Plan::graph>>
struct weighted_sum_check {
  using type = graph_ends_in_outputs<false>;
};
template <class LossA, class LossB, class Plan>
struct weighted_sum_check<LossA, LossB, Plan, true> {
  using type = first_failing_t<loss_check<LossA, plan_with_output<Plan, typename Plan::graph::first>>,
                               loss_check<LossB, plan_with_output<Plan, typename Plan::graph::second>>>;
};
}  // namespace detail

template <real Wa, class LossA, real Wb, class LossB>
struct weighted_sum {
  static constexpr std::string_view name = "weighted_sum";
  template <class Plan>
  static constexpr bool folds_output = false;  // each loss folds into its own output, if it does
  template <class Plan>
  using graph_check = typename detail::weighted_sum_check<LossA, LossB, Plan>::type;

  /// How many target values a's rows take before b's begin.
  template <class Ctx>
  static constexpr std::size_t first_targets = Ctx::batch * target_width<LossA, Ctx::plan::graph::first::shape::size>();

  template <bool First, class Loss, class Ctx>
  static double one(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient,
                    double weight) {
    using sub_plan = detail::plan_with_output<typename Ctx::plan, std::conditional_t<First,
        typename Ctx::plan::graph::first, typename Ctx::plan::graph::second>>;
    using sub_output = typename sub_plan::graph;
    const detail::context<sub_plan> sub{c.params, c.param_grads, c.values, c.grads, c.training, c.noise, c.first_row};
    const double total = Loss::evaluate(sub, target, count, with_gradient);
    if (with_gradient) {
      using written = typename detail::written_gradient<Loss, sub_plan, sub_output>::type;
      auto* g = sub.template grad<written>();
      for (std::size_t i = 0; i < count * written::shape::size; ++i) g[i] *= typename Ctx::scalar(weight);
    }
    return weight * total;
  }

  template <class Ctx>
  static double evaluate(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient) {
    // The graph is checked at the user's call (graph_check); without outputs(a, b) this computes nothing.
    if constexpr (detail::is_outputs<typename Ctx::plan::graph>) {
      return one<true, LossA>(c, target, count, with_gradient, Wa) +
             one<false, LossB>(c, target + first_targets<Ctx>, count, with_gradient, Wb);
    } else {
      return 0.0;
    }
  }

  /// Each output's own loss (unweighted, no gradient), summed over `count` samples: what evaluate
  /// reports beside the weighted total.
  template <class Ctx>
  static std::array<double, 2> evaluate_each(const Ctx& c, const typename Ctx::scalar* target, std::size_t count) {
    return {one<true, LossA>(c, target, count, false, 1.0),
            one<false, LossB>(c, target + first_targets<Ctx>, count, false, 1.0)};
  }
};

}  // namespace ctgraph
