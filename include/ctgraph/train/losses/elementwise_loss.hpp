// The loop every loss of the form  L = mean over samples of mean_j l(y_j - t_j)  shares:
// term(d) gives l(d) and l'(d); the gradient written is l'(d) / (width * count).
// mean_squared_error, mean_absolute_error and huber are their term and nothing else.
#pragma once

#include <cstddef>
#include <utility>

namespace ctgraph::detail {

/// Sum over `count` samples of their loss; with_gradient writes dL/dy of the mean.
template <class Ctx, class Term>
double elementwise_loss(const Ctx& c, const typename Ctx::scalar* target, std::size_t count, bool with_gradient,
                        Term term) {
  using S = typename Ctx::scalar;
  using out = typename Ctx::plan::graph;
  constexpr std::size_t width = out::shape::size;
  const S* y = c.template value<out>();
  const S scale = S(1) / S(width * count);
  double total = 0;
  for (std::size_t i = 0; i < count * width; ++i) {
    const auto [value, derivative] = term(S(y[i] - target[i]));
    total += value;
    if (with_gradient) c.template grad<out>()[i] = scale * derivative;
  }
  return total / double(width);
}

}  // namespace ctgraph::detail
