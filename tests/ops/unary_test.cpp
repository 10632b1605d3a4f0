#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto x = input<5>;
constexpr auto p = param<"t", "p", shape<5>>(zeros{});
constexpr auto q = param<"t", "q", shape<5>>(zeros{});
}  // namespace

TEST_CASE("unary: relu, tanh, sigmoid, exp, log match finite differences") {
  test::check_gradients<decltype(relu(x * p + q))>();
  test::check_gradients<decltype(ctgraph::tanh(x * p + q))>();
  test::check_gradients<decltype(sigmoid(x * p + q))>();
  test::check_gradients<decltype(ctgraph::exp(x * p + q))>();
  test::check_gradients<decltype(ctgraph::log(sigmoid(x * p) + q * q))>();
}

TEST_CASE("unary: a chain of element-wise ops inlined into one loop keeps every gradient") {
  using chain = decltype(ctgraph::tanh(relu(x * p + q) * sigmoid(q - x)));
  using plan = detail::plan<chain, 2, double>;
  // Only the chain's root is stored; the nodes inside it are computed in its loop.
  static_assert(plan::computed::size == 1);
  test::check_gradients<chain>();
}

TEST_CASE("unary: relu has derivative 0 at 0, as in Keras and PyTorch") {
  CHECK(relu_op::df(0.0, 0.0) == 0.0);
  CHECK(relu_op::df(1e-30, 1e-30) == 1.0);
}

TEST_CASE("unary: sigmoid is finite and exact in both tails") {
  CHECK(sigmoid_op::f(-1000.0) == 0.0);
  CHECK(sigmoid_op::f(1000.0) == 1.0);
  CHECK(sigmoid_op::f(-30.0) == doctest::Approx(std::exp(-30.0) / (1 + std::exp(-30.0))).epsilon(1e-12));
}

TEST_CASE("exp: the vectorizable float exp is within 1 ulp of std::exp wherever the result is a normal float") {
  double worst = 0;
  for (float x = -87.3f; x < 88.7f; x += 0.0137f) {
    const float fast = detail::exp_float(x), exact = std::exp(x);
    worst = std::max(worst, std::abs(double(fast) - double(exact)) / double(std::nextafter(exact, 1e38f) - exact));
  }
  CHECK(worst <= 1.0);
  CHECK(detail::exp_float(-1000.0f) == 0.0f);          // underflow is 0, as softmax wants
  CHECK(std::isfinite(detail::exp_float(1000.0f)));   // overflow saturates
}

TEST_CASE("tanh: the libm-free float tanh is within 3 ulp of std::tanh, denormals and tails included") {
  double worst = 0;
  for (float x = -12.0f; x < 12.0f; x += 0.00731f) {
    const float fast = detail::tanh_float(x), exact = std::tanh(x);
    if (exact == 0.0f) continue;
    worst = std::max(worst, std::abs(double(fast) - double(exact)) /
                                double(std::nextafter(std::abs(exact), 2.0f) - std::abs(exact)));
  }
  CHECK(worst <= 3.0);
  CHECK(detail::tanh_float(1e-40f) == 1e-40f);  // a denormal is its own tanh
  CHECK(detail::tanh_float(-50.0f) == -1.0f);
  CHECK(detail::tanh_float(0.0f) == 0.0f);
}
