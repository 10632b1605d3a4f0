#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<4>;
}  // namespace

TEST_CASE("names: the same named layer used twice is one layer whose gradients accumulate") {
  constexpr auto shared = [](auto in) { return dense<4, "shared">(in, activation::tanh); };
  using g = decltype(dense<1>(shared(shared(x))));
  using m = model<g, 2, double>;
  // One set of shared parameters (4x4 + 4) and the output layer (4 + 1).
  static_assert(m::parameter_count == 20 + 5);
  test::check_gradients<g>();
}

TEST_CASE("names: two unnamed layers with the same sizes have their own parameters") {
  using g = decltype(dense<4>(dense<4>(x)));
  static_assert(model<g, 1>::parameter_count == 2 * (16 + 4));
  const auto table = model<g, 1>::parameter_table();
  REQUIRE(table.size() == 4);
  CHECK(table[0].name == "dense_1.kernel");
  CHECK(table[1].name == "dense_1.bias");
  CHECK(table[2].name == "dense_2.kernel");
  CHECK(table[3].name == "dense_2.bias");
}

TEST_CASE("names: unnamed layers are numbered by position among the unnamed, named ones keep their name") {
  using g = decltype(dense<1>(dense<3, "middle">(dense<5>(x))));
  const auto table = model<g, 1>::parameter_table();
  REQUIRE(table.size() == 6);
  CHECK(table[0].name == "dense_1.kernel");
  CHECK(table[0].shape == std::vector<std::size_t>{4, 5});
  CHECK(table[2].name == "middle.kernel");
  CHECK(table[4].name == "dense_2.kernel");
  CHECK(table[5].offset == 20 + 5 + 15 + 3 + 3);
}

TEST_CASE("names: a free parameter shared by two expressions gets both gradients") {
  constexpr auto p = param<"t", "p", shape<4>>(zeros{});
  test::check_gradients<decltype(ctgraph::tanh(x * p) + sigmoid(p - x))>();
}
