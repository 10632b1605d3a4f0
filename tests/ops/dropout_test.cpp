#include <cmath>

#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<50>;
constexpr auto p = param<"t", "p", shape<50>>(zeros{});
using dropped = decltype(dropout<0.3>(ctgraph::tanh(x * p)));
}  // namespace

TEST_CASE("dropout: identity in forward (evaluate, predict), inverted dropout in a training step") {
  model<dropped, 40, double> net(11);
  for (double& v : net.input()) v = 1.0;
  for (double& w : net.parameters()) w = 1.0;
  net.forward();
  for (double y : net.output()) CHECK(y == doctest::Approx(std::tanh(1.0)).epsilon(1e-15));
  net.forward_training();
  std::size_t kept = 0;
  for (double y : net.output()) {
    const bool is_kept = std::abs(y - std::tanh(1.0) / 0.7) < 1e-12;
    CHECK((is_kept || y == 0.0));
    kept += is_kept;
  }
  // 2,000 draws with p(keep) = 0.7: 1,400 +- 20.5 (one sigma); 5 sigma either side.
  CHECK(kept > 1'297);
  CHECK(kept < 1'503);
}

TEST_CASE("dropout: the mask comes from the model's seed and step: the same seed repeats it, a step changes it") {
  const auto mask = [](std::uint64_t seed, int steps) {
    model<dropped, 8, float> net(seed);
    for (float& v : net.input()) v = 1.0f;
    for (float& w : net.parameters()) w = 1.0f;
    for (float& t : net.target()) t = 0.0f;
    for (int s = 0; s < steps; ++s) net.train_step(mean_squared_error{}, sgd{.learning_rate = 0.0});
    net.forward_training();
    return std::vector<float>(net.output().begin(), net.output().end());
  };
  CHECK(mask(5, 0) == mask(5, 0));
  CHECK(mask(5, 3) == mask(5, 3));
  CHECK(mask(5, 0) != mask(6, 0));
  CHECK(mask(5, 0) != mask(5, 1));
}

TEST_CASE("dropout: two dropouts of one graph draw different masks") {
  using two = decltype(concat(dropout<0.5>(x * p), dropout<0.5>(x + p)));
  model<two, 4, double> net(3);
  for (double& v : net.input()) v = 1.0;
  for (double& w : net.parameters()) w = 1.0;
  net.forward_training();
  std::size_t differ = 0;
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t j = 0; j < 50; ++j)
      differ += (net.output()[r * 100 + j] == 0.0) != (net.output()[r * 100 + 50 + j] == 0.0);
  CHECK(differ > 50);  // 200 pairs, each differing with probability 1/2
}

TEST_CASE("dropout: the training step's gradient matches finite differences of the loss with its mask") {
  using g = decltype(dense<2>(dropout<0.4>(dense<6>(input<3>, activation::tanh))));
  model<g, 4, double> net(9);
  random_engine rng(2);
  for (double& v : net.input()) v = rng.uniform(-1, 1);
  for (double& w : net.parameters()) w = rng.uniform(-1, 1);
  for (double& t : net.target()) t = rng.uniform(-1, 1);
  net.compute_gradients(mean_squared_error{});
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());
  std::size_t zero = 0;
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& w = net.parameters()[i];
    const double saved = w, h = 1e-6;
    w = saved + h;
    net.forward_training();
    const double up = net.loss(mean_squared_error{}) / 4;
    w = saved - h;
    net.forward_training();
    const double down = net.loss(mean_squared_error{}) / 4;
    w = saved;
    INFO("parameter ", i);
    CHECK(analytic[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-7));
    zero += analytic[i] == 0.0;
  }
  CHECK(zero < net.parameter_count / 2);  // the mask did not drop everything
  test::check_gradients<g>();              // and outside a step it is the identity
}
