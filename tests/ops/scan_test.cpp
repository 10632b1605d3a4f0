#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto seq = input<5, 2>;
constexpr auto kernel = param<"cell", "kernel", shape<2, 3>>(glorot_uniform{});
constexpr auto recurrent = param<"cell", "recurrent_kernel", shape<3, 3>>(orthogonal{});
constexpr auto bias = param<"cell", "bias", shape<3>>(zeros{});
// SimpleRNN's cell, written by a user from primitives.
constexpr auto rnn_cell = [](auto x, auto h) { return ctgraph::tanh(matmul(x, kernel) + bias + matmul(h, recurrent)); };
}  // namespace

TEST_CASE("scan: a SimpleRNN cell's last state matches finite differences") {
  test::check_gradients<decltype(scan<shape<3>>(seq, rnn_cell))>();
}

TEST_CASE("scan: return_sequences matches finite differences through every step") {
  test::check_gradients<decltype(scan<shape<3>>(seq, rnn_cell, return_sequences))>();
}

TEST_CASE("scan: the input's gradient flows back into parameters below the recurrence") {
  constexpr auto p = param<"t", "p", shape<5, 2>>(zeros{});
  test::check_gradients<decltype(scan<shape<3>>(seq * p, rnn_cell, return_sequences))>();
}

TEST_CASE("scan: two stacked recurrences match finite differences") {
  constexpr auto k2 = param<"top", "kernel", shape<3, 2>>(glorot_uniform{});
  constexpr auto u2 = param<"top", "recurrent_kernel", shape<2, 2>>(orthogonal{});
  constexpr auto top = [=](auto x, auto h) { return ctgraph::sigmoid(matmul(x, k2) + matmul(h, u2)); };
  test::check_gradients<decltype(scan<shape<2>>(scan<shape<3>>(seq, rnn_cell, return_sequences), top))>();
}

TEST_CASE("scan: a pair of states (h, c) matches finite differences") {
  constexpr auto w = param<"pair", "w", shape<2, 3>>(glorot_uniform{});
  constexpr auto u = param<"pair", "u", shape<3, 3>>(glorot_uniform{});
  constexpr auto cell = [=](auto x, auto h, auto c) {
    auto c2 = c * ctgraph::sigmoid(matmul(h, u)) + ctgraph::tanh(matmul(x, w));
    return states(ctgraph::tanh(c2) * h + c2, c2);
  };
  test::check_gradients<decltype(scan<shape<3>, shape<3>>(seq, cell, return_sequences))>();
}

TEST_CASE("scan: a SimpleRNN cell computes what simple_rnn_node computes, values and gradients") {
  using generic = decltype(scan<shape<3>>(seq, rnn_cell, return_sequences));
  using dedicated = decltype(simple_rnn<3, "cell">(seq, return_sequences));
  model<generic, 4, double> a(7);
  model<dedicated, 4, double> b(7);
  REQUIRE(a.parameter_table().size() == 3);
  random_engine rng(3);
  for (double& v : a.input()) v = rng.uniform(-1.0, 1.0);
  std::copy(a.input().begin(), a.input().end(), b.input().begin());
  // The same parameters by name (the two graphs may order them differently).
  for (const auto& pa : a.parameter_table())
    for (const auto& pb : b.parameter_table())
      if (pa.name == pb.name)
        for (std::size_t i = 0; i < pa.size; ++i) b.parameters()[pb.offset + i] = a.parameters()[pa.offset + i] = rng.uniform(-1.0, 1.0);
  a.forward();
  b.forward();
  std::vector<double> g(a.output().size());
  for (double& v : g) v = rng.uniform(-1.0, 1.0);
  a.backward(g);
  b.backward(g);
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(a.output()[i] == doctest::Approx(b.output()[i]).epsilon(1e-12));
  for (const auto& pa : a.parameter_table())
    for (const auto& pb : b.parameter_table())
      if (pa.name == pb.name)
        for (std::size_t i = 0; i < pa.size; ++i) {
          INFO(pa.name, "[", i, "]");
          CHECK(a.gradients()[pa.offset + i] == doctest::Approx(b.gradients()[pb.offset + i]).epsilon(1e-12));
        }
}

TEST_CASE("scan: the type does not grow with the number of steps") {
  using short_seq = decltype(scan<shape<3>>(input<20, 2>, rnn_cell));
  using long_seq = decltype(scan<shape<3>>(input<200, 2>, rnn_cell));
  CHECK(detail::type_signature<short_seq>().size() == detail::type_signature<long_seq>().size() - 1);
}

TEST_CASE("scan: a cell stores its sigmoid and tanh gates, which the graph outside a cell inlines") {
  using x_t = cell_input<shape<2>, false>;
  using gate = unary_node<sigmoid_op, matmul_node<x_t, std::remove_const_t<decltype(kernel)>>>;
  using root = next_states<binary_node<mul_op, gate, cell_state<0, shape<3>>>>;
  CHECK_FALSE(detail::plan<root, 4, float, true>::inlined<gate>);  // as scan plans its cell
  CHECK(detail::plan<root, 4, float>::inlined<gate>);
  // The choice changes no value: the gradient checks above run on cells planned this way.
}
