#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto seq = input<4, 3>;
}

TEST_CASE("gru: the last state matches finite differences, kernel, recurrent kernel and both biases") {
  using g = decltype(dense<1>(gru<3, "gru">(seq), activation::tanh));
  static_assert(model<g, 1>::parameter_count == 3 * 9 + 3 * 9 + 2 * 9 + 4);
  test::check_gradients<g>();
}

TEST_CASE("gru: every state and two stacked layers match finite differences") {
  test::check_gradients<decltype(gru<2, "top">(gru<3, "bottom">(seq, return_sequences), return_sequences))>();
}

TEST_CASE("lstm: the last h matches finite differences through h and c") {
  using g = decltype(dense<1>(lstm<3, "lstm">(seq)));
  static_assert(model<g, 1>::parameter_count == 3 * 12 + 3 * 12 + 12 + 4);
  test::check_gradients<g>();
}

TEST_CASE("lstm: every state and two stacked layers match finite differences") {
  test::check_gradients<decltype(lstm<2, "top">(lstm<3, "bottom">(seq, return_sequences), return_sequences))>();
}

TEST_CASE("gru: one step computed by hand, Keras' reset_after form and gate order z, r, h") {
  using g = decltype(gru<1, "gru">(input<2, 1>, return_sequences));
  model<g, 1, double> net;
  // kernel [1, 3] (z, r, h), recurrent_kernel [1, 3], bias [2, 3]
  const double k[3] = {0.5, -0.3, 0.8}, u[3] = {0.2, 0.4, -0.6}, b0[3] = {0.1, -0.2, 0.05}, b1[3] = {-0.1, 0.3, 0.2};
  for (const auto& p : net.parameter_table())
    for (std::size_t i = 0; i < p.size; ++i)
      net.parameters()[p.offset + i] = p.name == "gru.kernel" ? k[i] : p.name == "gru.recurrent_kernel" ? u[i] : i < 3 ? b0[i] : b1[i - 3];
  const double x[2] = {1.0, -0.5};
  std::copy(x, x + 2, net.input().begin());
  net.forward();
  const auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  double h = 0;
  for (int t = 0; t < 2; ++t) {
    const double z = sig(x[t] * k[0] + b0[0] + h * u[0] + b1[0]);
    const double r = sig(x[t] * k[1] + b0[1] + h * u[1] + b1[1]);
    const double n = std::tanh(x[t] * k[2] + b0[2] + r * (h * u[2] + b1[2]));
    h = z * h + (1 - z) * n;
    CHECK(net.output()[t] == doctest::Approx(h).epsilon(1e-14));
  }
}

TEST_CASE("lstm: Keras' unit_forget_bias: ones on the forget gate's columns, zeros elsewhere") {
  model<decltype(lstm<4, "lstm">(seq)), 1> net(3);
  for (const auto& p : net.parameter_table())
    if (p.name == "lstm.bias")
      for (std::size_t i = 0; i < p.size; ++i) CHECK(net.parameters()[p.offset + i] == (i >= 4 && i < 8 ? 1.0f : 0.0f));
}

TEST_CASE("gru: PyTorch's initialisation draws every parameter within 1/sqrt(units)") {
  model<decltype(gru<16, "gru">(seq, torch_init{})), 1> net(3);
  float largest = 0;
  for (float p : net.parameters()) largest = std::max(largest, std::abs(p));
  CHECK(largest <= 0.25f);
  CHECK(largest > 0.24f);
}

namespace {
// Values and every gradient of two graphs with the same parameters (by name) and the same input.
template <class Fused, class OnScan, std::size_t Batch, class S>
void check_same_numbers(double tolerance) {
  model<Fused, Batch, S> a(7);
  model<OnScan, Batch, S> b(7);
  REQUIRE(a.parameter_table().size() == b.parameter_table().size());
  random_engine rng(3);
  for (S& v : a.input()) v = S(rng.uniform(-1.0, 1.0));
  std::copy(a.input().begin(), a.input().end(), b.input().begin());
  for (const auto& pa : a.parameter_table())
    for (const auto& pb : b.parameter_table())
      if (pa.name == pb.name)
        for (std::size_t i = 0; i < pa.size; ++i) b.parameters()[pb.offset + i] = a.parameters()[pa.offset + i] = S(rng.uniform(-1.0, 1.0));
  a.forward();
  b.forward();
  std::vector<S> g(a.output().size());
  for (S& v : g) v = S(rng.uniform(-1.0, 1.0));
  a.backward(g);
  b.backward(g);
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(a.output()[i] == doctest::Approx(b.output()[i]).epsilon(tolerance));
  std::size_t compared = 0;
  for (const auto& pa : a.parameter_table())
    for (const auto& pb : b.parameter_table())
      if (pa.name == pb.name)
        for (std::size_t i = 0; i < pa.size; ++i, ++compared) {
          INFO(pa.name, "[", i, "]");
          CHECK(a.gradients()[pa.offset + i] == doctest::Approx(b.gradients()[pb.offset + i]).epsilon(tolerance));
        }
  CHECK(compared == model<Fused, Batch, S>::parameter_count);
}

constexpr auto long_seq = input<7, 3>;
template <std::size_t Units, fixed_string Name, bool Sequences, bool OnScan, class X>
constexpr auto gru_as(X x) {
  return detail::gru_layer<Units, Name, Sequences, keras_init, OnScan>(x);
}
template <std::size_t Units, fixed_string Name, bool Sequences, bool OnScan, class X>
constexpr auto lstm_as(X x) {
  return detail::lstm_layer<Units, Name, Sequences, keras_init, OnScan>(x);
}
template <bool OnScan>
using gru_stack = decltype(dense<1, "head">(gru_as<5, "top", false, OnScan>(gru_as<19, "bottom", true, OnScan>(long_seq))));
template <bool OnScan>
using lstm_stack = decltype(dense<1, "head">(lstm_as<5, "top", false, OnScan>(lstm_as<19, "bottom", true, OnScan>(long_seq))));
}  // namespace

// gru_node and lstm_node are the cells of nn/gru.hpp and nn/lstm.hpp on the generic scan, fused:
// widths 19 and 5 leave a partial vector, batch 3 a partial tile, two layers every state's gradient.
TEST_CASE("gru: the fused recurrence computes what its cell on the generic scan computes, values and gradients") {
  check_same_numbers<gru_stack<false>, gru_stack<true>, 3, double>(1e-12);
  check_same_numbers<gru_stack<false>, gru_stack<true>, 3, float>(1e-4);
}

TEST_CASE("lstm: the fused recurrence computes what its cell on the generic scan computes, values and gradients") {
  check_same_numbers<lstm_stack<false>, lstm_stack<true>, 3, double>(1e-12);
  check_same_numbers<lstm_stack<false>, lstm_stack<true>, 3, float>(1e-4);
}
