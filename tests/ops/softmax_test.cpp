#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<4, 3>;
constexpr auto p = param<"t", "p", shape<4, 3>>(zeros{});
constexpr auto r = param<"t", "r", shape<3>>(zeros{});
}  // namespace

TEST_CASE("softmax: along the last axis and along the first match finite differences") {
  test::check_gradients<decltype(softmax(x * p + r))>();
  test::check_gradients<decltype(softmax<0>(x * p + r))>();
  test::check_gradients<decltype(softmax<-2>(x + p) * x)>();
}

TEST_CASE("softmax: each slice along the axis sums to 1, even for large inputs") {
  using g = decltype(softmax<0>(x * p));
  model<g, 2, double> net;
  for (double& v : net.parameters()) v = 1.0;
  for (std::size_t i = 0; i < net.input().size(); ++i) net.input()[i] = double(i) * 100.0;  // exp would overflow
  net.forward();
  const auto y = net.output();
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t col = 0; col < 3; ++col) {
      double total = 0;
      for (std::size_t row = 0; row < 4; ++row) total += y[s * 12 + row * 3 + col];
      CHECK(total == doctest::Approx(1.0));
    }
}
