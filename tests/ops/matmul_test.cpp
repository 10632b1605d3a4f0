#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto v = input<4>;
constexpr auto m = input<3, 4>;
constexpr auto w = param<"t", "w", shape<4, 2>>(zeros{});
constexpr auto w2 = param<"t", "w2", shape<2, 3>>(zeros{});
constexpr auto a = param<"t", "a", shape<3, 4>>(zeros{});
}  // namespace

TEST_CASE("matmul: a batch of vectors times a parameter matches finite differences") {
  test::check_gradients<decltype(matmul(v, w))>();
  test::check_gradients<decltype(matmul(relu(matmul(v, w)), w2))>();  // gradient flows into the first product's input
}

TEST_CASE("matmul: a batch of matrices times a parameter matches finite differences") {
  test::check_gradients<decltype(matmul(m, w))>();
}

TEST_CASE("matmul: a parameter times a per-sample matrix matches finite differences") {
  // [3, 4] param x [4, 2] batched operand: one small product per sample.
  constexpr auto x44 = input<4, 4>;
  test::check_gradients<decltype(matmul(a, x44 * x44))>();
  test::check_gradients<decltype(matmul(matmul(a, x44), x44))>();  // both operands per sample
}

TEST_CASE("matmul: shapes and FLOPs are compile-time facts") {
  static_assert(std::is_same_v<decltype(matmul(v, w))::shape, shape<2>>);
  static_assert(std::is_same_v<decltype(matmul(m, w))::shape, shape<3, 2>>);
  static_assert(decltype(matmul(m, w))::flops == 2 * 3 * 4 * 2);
  CHECK(decltype(matmul(m, w))::backward_flops == 2 * 3 * 4 * 2);  // the input needs no gradient
}
