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
