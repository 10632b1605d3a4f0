#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto seq = input<6, 2>;
}

TEST_CASE("simple_rnn: back-propagation through time matches finite differences for every state") {
  // Every state is read (return_sequences), so every step's gradient flows back through U.
  test::check_gradients<decltype(simple_rnn<3, "rnn">(seq, return_sequences))>();
}

TEST_CASE("simple_rnn: the last state alone matches finite differences, kernel, recurrent kernel and bias") {
  test::check_gradients<decltype(dense<1>(simple_rnn<3, "rnn">(seq), activation::tanh))>();
}

TEST_CASE("simple_rnn: a wide state (no chain in registers) matches finite differences as a narrow one does") {
  // N (N + F + 1) > 24: the carry form and the products after the loop; the tests above are narrow.
  using wide = decltype(simple_rnn<5, "w">(input<5, 4>, return_sequences));
  static_assert(!wide::inner::narrow && decltype(simple_rnn<2, "n">(input<5, 4>, return_sequences))::inner::narrow);
  test::check_gradients<wide>();
  test::check_gradients<decltype(dense<1>(simple_rnn<5, "w">(input<5, 4>), activation::tanh))>();
}

TEST_CASE("simple_rnn: its input's gradient flows back through the recurrence into parameters below it") {
  constexpr auto p = param<"t", "p", shape<6, 2>>(zeros{});
  test::check_gradients<decltype(simple_rnn<2, "rnn">(seq * p, return_sequences))>();
}

TEST_CASE("simple_rnn: the temporal attention net matches finite differences (fib_rnn_attention's pattern)") {
  constexpr auto h = simple_rnn<2, "rnn">(input<20, 1>, return_sequences);
  constexpr auto w = param<"attention", "W", shape<2, 1>>(random_normal<>{});
  constexpr auto b = param<"attention", "b", shape<20, 1>>(zeros{});
  constexpr auto alpha = softmax<0>(ctgraph::tanh(matmul(h, w) + b));
  using g = decltype(dense<1>(sum<0>(alpha * h), activation::tanh));
  static_assert(model<g, 1>::parameter_count == 33);
  test::check_gradients<g, 2>();
}

TEST_CASE("simple_rnn: h_t = tanh(x_t W + h_(t-1) U + b) from h_(-1) = 0, checked by hand") {
  using g = decltype(simple_rnn<2, "rnn">(input<3, 1>, return_sequences));
  model<g, 1, double> net;
  // kernel [1, 2], recurrent_kernel [2, 2], bias [2], in that order
  const std::vector<double> p{0.5, -1.0, 0.1, 0.2, 0.3, 0.4, 0.05, -0.05};
  std::copy(p.begin(), p.end(), net.parameters().begin());
  const double x[3] = {1.0, -2.0, 0.5};
  std::copy(x, x + 3, net.input().begin());
  net.forward();
  double h0 = 0, h1 = 0;
  for (int t = 0; t < 3; ++t) {
    const double a = std::tanh(x[t] * 0.5 + h0 * 0.1 + h1 * 0.3 + 0.05);
    const double b = std::tanh(x[t] * -1.0 + h0 * 0.2 + h1 * 0.4 - 0.05);
    h0 = a, h1 = b;
    CHECK(net.output()[2 * t] == doctest::Approx(h0).epsilon(1e-14));
    CHECK(net.output()[2 * t + 1] == doctest::Approx(h1).epsilon(1e-14));
  }
}

TEST_CASE("simple_rnn: in float (the state kept as tanh's two factors) as in double, saturated steps included") {
  using g = decltype(simple_rnn<2, "rnn">(input<6, 1>, return_sequences));
  model<g, 1, float> single;
  model<g, 1, double> twice;
  const std::vector<double> p{0.5, -1.0, 0.9, 0.2, -0.3, 0.4, 0.05, -0.05};
  std::ranges::copy(p, twice.parameters().begin());
  for (std::size_t i = 0; i < p.size(); ++i) single.parameters()[i] = float(p[i]);
  const double x[6] = {1.0, -2.0, 30.0, 0.5, -25.0, 0.001};  // 30 and -25: |z| > 9, tanh exactly +-1
  for (std::size_t t = 0; t < 6; ++t) single.input()[t] = float(twice.input()[t] = x[t]);
  single.forward();
  twice.forward();
  for (std::size_t i = 0; i < 12; ++i) CHECK(single.output()[i] == doctest::Approx(twice.output()[i]).epsilon(1e-6));
  CHECK(std::abs(single.output()[4]) == 1.0f);  // step 2, unit 0: saturated
}
