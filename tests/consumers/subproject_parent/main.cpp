// The parent project's network: y = 2 x0 - x1 learned by one dense layer.
// Exits 0 when the test error is small, 1 otherwise.
#include <cstdio>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

constexpr auto graph = dense<1>(input<2>);

dataset<float> line(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, 2}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    d.x(i, 0) = float(rng.uniform(-1, 1));
    d.x(i, 1) = float(rng.uniform(-1, 1));
    d.y(i, 0) = 2 * d.x(i, 0) - d.x(i, 1);
  }
  return d;
}

int main() {
  model<decltype(graph), 16> net(1);
  fit(net, mean_squared_error{}, keras_adam(0.05), line(1024, 1), {.epochs = 20});
  const double mse = evaluate(net, mean_squared_error{}, line(256, 2)).loss;
  std::printf("parent: test MSE %.2e of y = 2 x0 - x1 (%s)\n", mse, mse < 1e-4 ? "learned" : "did not learn");
  return mse < 1e-4 ? 0 : 1;
}
