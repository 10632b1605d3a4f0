// Regression with layer normalisation and dropout (normalized_regression.hpp: the network and
// the data): y = sin(3 x0) + x1 x2 - |x3| + noise, of 8 inputs.
// Exits 0 when the test R^2 reaches the threshold, 1 when it does not.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "normalized_regression.hpp"

int main() {
  using namespace normalized_regression;
  const auto train = samples(train_samples, 1), test = samples(test_samples, 2);
  double mean = 0, variance = 0;
  for (std::size_t i = 0; i < test.size(); ++i) mean += test.y(i, 0) / double(test.size());
  for (std::size_t i = 0; i < test.size(); ++i) variance += std::pow(test.y(i, 0) - mean, 2) / double(test.size());

  regressor net(/*seed=*/1);
  const auto start = std::chrono::steady_clock::now();
  const auto history = fit(net, mean_squared_error{}, keras_adam(learning_rate), train, {.epochs = 30, .seed = 1});
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
