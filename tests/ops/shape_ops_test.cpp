#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<4, 3>;
constexpr auto p = param<"t", "p", shape<4, 3>>(zeros{});
constexpr auto q = param<"t", "q", shape<2, 3>>(zeros{});
constexpr auto v = param<"t", "v", shape<12>>(zeros{});
}  // namespace

TEST_CASE("concat: along each axis, of two per-sample values or with a parameter, matches finite differences") {
  static_assert(std::is_same_v<decltype(concat<0>(x * p, q))::shape, shape<6, 3>>);
  static_assert(std::is_same_v<decltype(concat(x, x * p))::shape, shape<4, 6>>);
  test::check_gradients<decltype(concat<0>(x * p, q))>();                      // a parameter: the same for every sample
  test::check_gradients<decltype(concat<-1>(ctgraph::tanh(x * p), x + p))>();
  test::check_gradients<decltype(concat<0>(q, sigmoid(x * p)) * concat<0>(x, q))>();
}

TEST_CASE("concat: the values land where numpy's concatenate puts them") {
  constexpr auto a = input<2, 2>;
  constexpr auto b = constant<7.0, 2, 1>;
  model<std::remove_const_t<decltype(concat(a, b))>, 2, double> net;
  for (std::size_t i = 0; i < 8; ++i) net.input()[i] = double(i);
  net.forward();
  const std::vector<double> want{0, 1, 7, 2, 3, 7, 4, 5, 7, 6, 7, 7};
  CHECK(std::vector<double>(net.output().begin(), net.output().end()) == want);
}

TEST_CASE("slice: a range of either axis matches finite differences and keeps numpy's values") {
  static_assert(std::is_same_v<decltype(slice<0, 1, 3>(x))::shape, shape<2, 3>>);
  test::check_gradients<decltype(slice<0, 1, 3>(x * p))>();
  test::check_gradients<decltype(slice<-1, 2, 3>(x * p) + slice<1, 0, 1>(ctgraph::tanh(x + p)))>();
  model<std::remove_const_t<decltype(slice<1, 1, 3>(x))>, 1, double> net;
  for (std::size_t i = 0; i < 12; ++i) net.input()[i] = double(i);
  net.forward();
  CHECK(std::vector<double>(net.output().begin(), net.output().end()) == std::vector<double>{1, 2, 4, 5, 7, 8, 10, 11});
}

TEST_CASE("reshape: flatten and reshape keep the row-major order, are inlined, and match finite differences") {
  static_assert(std::is_same_v<decltype(flatten(x))::shape, shape<12>>);
  using chain = decltype(ctgraph::tanh(flatten(x * p) * v));
  static_assert(detail::plan<chain, 2, double>::computed::size == 1);  // no copy: read inside tanh's loop
  test::check_gradients<chain>();
  test::check_gradients<decltype(dense<2>(flatten(x * p)))>();
  test::check_gradients<decltype(reshape<3, 4>(x * p) * reshape<3, 4>(v))>();
}

TEST_CASE("constant: a scalar broadcasts, a shaped one is a value of its own, and neither is trained") {
  test::check_gradients<decltype(x * p + constant<0.5>)>();
  test::check_gradients<decltype(matmul(x * p, constant<0.25, 3, 2>))>();  // stored: a product reads it whole
  model<std::remove_const_t<decltype(flatten(x) * constant<2.0> - constant<1.0, 12>)>, 1, double> net;
  for (std::size_t i = 0; i < 12; ++i) net.input()[i] = double(i);
  net.forward();
  CHECK(net.output()[5] == 9.0);
  CHECK(net.parameter_count == 0);
}
