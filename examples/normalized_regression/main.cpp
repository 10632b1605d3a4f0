// Regression with layer normalisation and dropout: y = sin(3 x0) + x1 x2 - |x3| + noise, of 8
// inputs (the other four say nothing). Layer norm after each hidden layer keeps its scale in hand;
// dropout is active while fitting and the identity when evaluating.
// Exits 0 when the test R^2 reaches the threshold, 1 when it does not.
#include <chrono>
#include <cmath>
#include <cstdio>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

constexpr std::size_t features = 8;

// --8<-- [start:graph]
constexpr auto x = input<features>;
constexpr auto h1 = dropout<0.1>(layer_norm(dense<64>(x, activation::gelu)));
constexpr auto h2 = dropout<0.1>(layer_norm(dense<64>(h1, activation::gelu)));
constexpr auto graph = dense<1>(h2);
using regressor = model<decltype(graph), 64>;
// --8<-- [end:graph]

dataset<float> samples(std::size_t n, std::uint64_t seed) {
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

int main() {
  const auto train = samples(8'000, 1), test = samples(2'000, 2);
  double mean = 0, variance = 0;
  for (std::size_t i = 0; i < test.size(); ++i) mean += test.y(i, 0) / double(test.size());
  for (std::size_t i = 0; i < test.size(); ++i) variance += std::pow(test.y(i, 0) - mean, 2) / double(test.size());

  regressor net(/*seed=*/1);
  const auto start = std::chrono::steady_clock::now();
  const auto history = fit(net, mean_squared_error{}, keras_adam(0.003), train, {.epochs = 30, .seed = 1});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double mse = evaluate(net, mean_squared_error{}, test).loss;
  const double r2 = 1 - mse / variance;
  std::printf("normalized_regression: %zu parameters, %zu epochs in %.2f s (%.0f samples/s), train loss %.4f "
              "(with dropout), test MSE %.4f, variance %.4f, R^2 %.3f\n",
              regressor::parameter_count, history.size(), seconds, double(history.size() * train.size()) / seconds,
              history.back().loss, mse, variance, r2);
  constexpr double threshold = 0.95;
  const bool learned = r2 >= threshold;
  std::printf("%s: test R^2 %.3f %s %.2f\n", learned ? "learned" : "did not learn", r2, learned ? ">=" : "<", threshold);
  return learned ? 0 : 1;
}
