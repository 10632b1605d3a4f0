// The one gradient check every primitive passes: in double, the gradient the
// generated backward computes for every parameter must equal central finite
// differences of a scalar objective L = sum(w * output), w random.
#pragma once

#include <cmath>
#include <vector>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

namespace test {

struct gradcheck_options {
  std::uint64_t seed = 1;
  double step = 1e-6;
  double tolerance = 1e-6;  // relative, against max(1, |analytic|, |numeric|)
  double input_low = -1.0, input_high = 1.0;
};

/// Checks d(sum(w * graph(x)))/d(params) against central differences, at batch Batch.
template <ctgraph::node Graph, std::size_t Batch = 3>
void check_gradients(gradcheck_options o = {}) {
  ctgraph::model<Graph, Batch, double> net(o.seed);
  ctgraph::random_engine rng(o.seed + 100);
  // Every input of the graph (one, or several named ones), in data-flow order.
  ctgraph::detail::for_each_type<typename decltype(net)::plan::inputs>([&]<class In>() {
    double* v = net.context().template value<In>();
    for (std::size_t i = 0; i < Batch * In::shape::size; ++i) v[i] = rng.uniform(o.input_low, o.input_high);
  });
  // Random parameters, not the initialisers' (biases start at zero, which hides bugs).
  for (double& p : net.parameters()) p = rng.uniform(-1.0, 1.0);
  std::vector<double> w(Batch * net.output_size);
  for (double& v : w) v = rng.uniform(-1.0, 1.0);

  const auto objective = [&] {
    net.forward();
    double total = 0;
    for (std::size_t i = 0; i < w.size(); ++i) total += w[i] * net.output()[i];
    return total;
  };
  // A first backward pass with other weights: a gradient the second pass fails to overwrite or
  // zero (plan.hpp grad_assigned) keeps some of it, and the check below fails.
  objective();
  std::vector<double> other(w.size());
  for (double& v : other) v = rng.uniform(-1.0, 1.0);
  net.backward(other);
  net.backward(w);
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());

  const auto table = decltype(net)::parameter_table();
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& p = net.parameters()[i];
    const double saved = p;
    p = saved + o.step;
    const double up = objective();
    p = saved - o.step;
    const double down = objective();
    p = saved;
    const double numeric = (up - down) / (2 * o.step);
    const double scale = std::max({1.0, std::abs(numeric), std::abs(analytic[i])});
    std::string where = "parameter index " + std::to_string(i);
    for (const auto& t : table)
      if (i >= t.offset && i < t.offset + t.size) where = t.name + "[" + std::to_string(i - t.offset) + "]";
    INFO(where, ": analytic ", analytic[i], ", numeric ", numeric);
    CHECK(std::abs(analytic[i] - numeric) <= o.tolerance * scale);
  }
}

}  // namespace test
