// A regression of the user's kind: Friedman's function #1 of five inputs (with noise),
// an MLP against the best linear fit (least squares); the trained weights saved,
// reloaded and used at batch 1. Exits 0 when the MLP's test error is at most a fifth
// of the linear fit's, 1 when it is not.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>

#include <unistd.h>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

constexpr std::size_t inputs = 5;

// --8<-- [start:graph]
constexpr auto x = input<inputs>;
constexpr auto hidden = dense<64, "hidden_2">(dense<64, "hidden_1">(x, activation::tanh), activation::tanh);
constexpr auto graph = dense<1, "prediction">(hidden);
using regressor = model<decltype(graph), 64>;
// --8<-- [end:graph]

/// y = 10 sin(pi x1 x2) + 20 (x3 - 1/2)^2 + 10 x4 + 5 x5 + noise, x uniform in [0, 1)^5.
dataset<float> friedman(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, inputs}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    double v[inputs];
    for (std::size_t j = 0; j < inputs; ++j) d.x(i, j) = float(v[j] = rng.uniform());
    d.y(i, 0) = float(10 * std::sin(std::numbers::pi * v[0] * v[1]) + 20 * (v[2] - 0.5) * (v[2] - 0.5) + 10 * v[3] +
                      5 * v[4] + 0.5 * rng.normal());
  }
  return d;
}

/// Mean squared error on `test` of the least-squares affine fit to `train` (normal equations).
double linear_fit_mse(const dataset<float>& train, const dataset<float>& test) {
  constexpr std::size_t k = inputs + 1;  // the inputs and a constant
  double a[k][k + 1] = {};
  for (std::size_t i = 0; i < train.size(); ++i) {
    double row[k];
    for (std::size_t j = 0; j < inputs; ++j) row[j] = train.x(i, j);
    row[inputs] = 1;
    for (std::size_t r = 0; r < k; ++r) {
      for (std::size_t c = 0; c < k; ++c) a[r][c] += row[r] * row[c];
      a[r][k] += row[r] * train.y(i, 0);
    }
  }
  for (std::size_t p = 0; p < k; ++p)  // Gauss-Jordan; the matrix is symmetric positive definite
    for (std::size_t r = 0; r < k; ++r)
      if (r != p) {
        const double f = a[r][p] / a[p][p];
        for (std::size_t c = p; c <= k; ++c) a[r][c] -= f * a[p][c];
      }
  double sum = 0;
  for (std::size_t i = 0; i < test.size(); ++i) {
    double prediction = a[inputs][k] / a[inputs][inputs];
    for (std::size_t j = 0; j < inputs; ++j) prediction += test.x(i, j) * a[j][k] / a[j][j];
    sum += (prediction - test.y(i, 0)) * (prediction - test.y(i, 0));
  }
  return sum / double(test.size());
}

int main() {
  const auto train = friedman(8000, 1), test = friedman(2000, 2);

  regressor net(/*seed=*/1);
  fit(net, mean_squared_error{}, keras_adam(0.003), train, {.epochs = 60, .seed = 1});
  const double mse = evaluate(net, mean_squared_error{}, test).loss;
  const double linear = linear_fit_mse(train, test);
  std::printf("regression: %zu parameters; test MSE %.3f, the linear fit's %.3f (noise alone: 0.25)\n",
              regressor::parameter_count, mse, linear);

  const auto file = std::filesystem::temp_directory_path() / ("regression_" + std::to_string(::getpid()) + ".npz");
  save_weights(net, file);
  regressor reloaded(/*seed=*/2);
  load_weights(reloaded, file);
  std::filesystem::remove(file);
  const double reloaded_mse = evaluate(reloaded, mean_squared_error{}, test).loss;
  std::printf("weights saved and reloaded: test MSE %.3f\n", reloaded_mse);

  // --8<-- [start:latency]
  model<decltype(graph), 1> single(reloaded);  // one sample at a time, the trained parameters
  constexpr int calls = 100'000;
  volatile float last = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) {
    std::copy_n(&test.x(i % test.size(), 0), inputs, single.input().begin());
    single.forward();
    last = single.output()[0];
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // --8<-- [end:latency]
  std::printf("batch 1: %.0f ns per prediction; sample %d: %.3f, target %.3f\n",
              std::chrono::duration<double, std::nano>(elapsed).count() / calls, (calls - 1) % int(test.size()),
              double(last), double(test.y((calls - 1) % test.size(), 0)));

  const bool learned = mse <= linear / 5 && reloaded_mse == mse;
  std::printf("%s: test MSE %.3f %s a fifth of the linear fit's, %.3f\n", learned ? "learned" : "did not learn", mse,
              mse <= linear / 5 ? "<=" : ">", linear / 5);
  return learned ? 0 : 1;
}
