// The normalized regression's network and data, in a header of their own so that the speed
// comparison (benchmarks/graphs.hpp) trains the very network main.cpp does.
// y = sin(3 x0) + x1 x2 - |x3| + noise, of 8 inputs (the other four say nothing). Layer norm
// after each hidden layer keeps its scale in hand; dropout is active while fitting and the
// identity when evaluating.
#pragma once

#include <cmath>

#include <ctgraph/ctgraph.hpp>

namespace normalized_regression {

using namespace ctgraph;

constexpr std::size_t features = 8, batch = 64;
constexpr double learning_rate = 0.003;
constexpr std::size_t train_samples = 8'000, test_samples = 2'000;

// --8<-- [start:graph]
constexpr auto x = input<features>;
constexpr auto h1 = dropout<0.1>(layer_norm(dense<64>(x, activation::gelu)));
constexpr auto h2 = dropout<0.1>(layer_norm(dense<64>(h1, activation::gelu)));
constexpr auto graph = dense<1>(h2);
using regressor = model<decltype(graph), batch>;
// --8<-- [end:graph]

inline dataset<float> samples(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, features}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    double v[features];
    for (double& f : v) f = rng.uniform(-1, 1);
    for (std::size_t j = 0; j < features; ++j) d.x(i, j) = float(v[j]);
    d.y(i, 0) = float(std::sin(3 * v[0]) + v[1] * v[2] - std::abs(v[3]) + 0.05 * rng.normal());
  }
  return d;
}

}  // namespace normalized_regression
