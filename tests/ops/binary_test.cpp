#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<4>;
constexpr auto x2 = input<3, 4>;
constexpr auto p4 = param<"t", "p4", shape<4>>(zeros{});
constexpr auto q4 = param<"t", "q4", shape<4>>(zeros{});
constexpr auto col = param<"t", "col", shape<3, 1>>(zeros{});
constexpr auto one = param<"t", "one", shape<1>>(zeros{});
}  // namespace

TEST_CASE("binary: a + b, a - b, a * b, a / b match finite differences for two parameters") {
  test::check_gradients<decltype(x * p4 + q4)>();
  test::check_gradients<decltype(x * p4 - q4 * x)>();
  test::check_gradients<decltype((x + p4) * (x - q4))>();
  test::check_gradients<decltype(p4 / (q4 * q4 + exp(x)))>();
}

TEST_CASE("binary: broadcasting a row, a column and a scalar over a matrix sums their gradients") {
  test::check_gradients<decltype(x2 * p4)>();         // [3,4] * [4]
  test::check_gradients<decltype(x2 * col + p4)>();   // [3,4] * [3,1] + [4]
  test::check_gradients<decltype(x2 / (one * one + exp(col)))>();
}

TEST_CASE("binary: an operand broadcast along the last axis sums its gradient by rows, on either side") {
  // [3, 1] against [3, 4]: each row's four products summed in a register, added once.
  test::check_gradients<decltype(col * (x2 + p4))>();
  test::check_gradients<decltype((x2 + p4) * col)>();
  test::check_gradients<decltype((x2 + p4) / (col * col + one))>();
  test::check_gradients<decltype(col / (exp(x2) + p4) - col)>();
}

TEST_CASE("binary: an operand used twice gets both gradients") {
  test::check_gradients<decltype(x * p4 * p4)>();
  test::check_gradients<decltype((x + p4) * (x + p4))>();
}

TEST_CASE("binary: the broadcast shape follows numpy") {
  static_assert(std::is_same_v<broadcast_t<shape<3, 1>, shape<4>>, shape<3, 4>>);
  static_assert(std::is_same_v<broadcast_t<shape<1>, shape<2, 5>>, shape<2, 5>>);
  static_assert(broadcastable<shape<20>, shape<1>>() && !broadcastable<shape<20>, shape<6>>());
  CHECK(std::is_same_v<decltype(x2 * col)::shape, shape<3, 4>>);
}
