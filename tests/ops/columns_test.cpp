#include "gradcheck.hpp"

using namespace ctgraph;

TEST_CASE("columns: a slice of the last axis matches finite differences") {
  constexpr auto x = input<4>;
  constexpr auto gates = matmul(x, param<"g", "kernel", shape<4, 9>>(glorot_uniform{}));
  // Three slices of one product, each read once by an element-wise chain (inlined), summed.
  test::check_gradients<decltype(ctgraph::sigmoid(columns<0, 3>(gates)) * ctgraph::tanh(columns<3, 3>(gates)) +
                                 columns<6, 3>(gates))>();
}

TEST_CASE("columns: a slice of a sequence's features, stored, matches finite differences") {
  constexpr auto x = input<3, 4>;
  constexpr auto y = matmul(x, param<"g", "kernel", shape<4, 6>>(glorot_uniform{}));
  test::check_gradients<decltype(matmul(columns<2, 3>(y), param<"h", "kernel", shape<3, 2>>(glorot_uniform{})))>();
}

TEST_CASE("columns: picks the columns it names") {
  using g = decltype(columns<1, 2>(input<2, 4>));
  model<g, 1, double> net;
  for (std::size_t i = 0; i < 8; ++i) net.input()[i] = double(i);
  net.forward();
  const std::vector<double> expected{1, 2, 5, 6};
  for (std::size_t i = 0; i < 4; ++i) CHECK(net.output()[i] == expected[i]);
}
