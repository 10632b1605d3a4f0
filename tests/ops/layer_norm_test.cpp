#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<4, 5>;
constexpr auto p = param<"t", "p", shape<4, 5>>(zeros{});
}  // namespace

TEST_CASE("layer_norm: gamma, beta and the input's gradient match finite differences") {
  test::check_gradients<decltype(layer_norm(x * p))>();
  test::check_gradients<decltype(ctgraph::tanh(layer_norm<"ln", keras_layer_norm_epsilon>(x + p)) * p)>();
  test::check_gradients<decltype(dense<3>(layer_norm(dense<6>(input<3>))))>();
}

TEST_CASE("layer_norm: each row has mean beta and, with gamma 1, variance var / (var + eps)") {
  model<std::remove_const_t<decltype(layer_norm(x))>, 2, double> net(1);
  random_engine rng(3);
  for (double& v : net.input()) v = rng.uniform(-3, 3);
  net.forward();
  CHECK(net.parameter_count == 10);
  for (std::size_t row = 0; row < 8; ++row) {
    const double* in = net.input().data() + row * 5;
    const double* out = net.output().data() + row * 5;
    double mu = 0, var = 0, mean_y = 0, var_y = 0;
    for (int j = 0; j < 5; ++j) mu += in[j] / 5;
    for (int j = 0; j < 5; ++j) var += (in[j] - mu) * (in[j] - mu) / 5;
    for (int j = 0; j < 5; ++j) mean_y += out[j] / 5;
    for (int j = 0; j < 5; ++j) var_y += out[j] * out[j] / 5;
    CHECK(mean_y == doctest::Approx(0).epsilon(1e-12));
    CHECK(var_y == doctest::Approx(var / (var + 1e-5)).epsilon(1e-12));
  }
  const auto table = decltype(net)::parameter_table();
  CHECK(table[0].name == "layer_normalization_1.gamma");
  CHECK(table[1].name == "layer_normalization_1.beta");
}
