#include <bit>
#include <cstdint>
#include <limits>

#include <ctgraph/detail/simd_math.hpp>

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

namespace {
/// |fast - exact| in units of the float spacing at exact, exact taken in double.
double ulps(float fast, double exact) {
  const float rounded = float(exact);
  return std::abs(double(fast) - exact) / double(std::nextafter(std::abs(rounded), 1e38f) - std::abs(rounded));
}
}  // namespace

TEST_CASE("log: the libm-free float log is within 3 ulp of log over every binade of normal floats") {
  double worst = 0;
  for (int k = -126; k < 128; ++k)
    for (float m = 1.0f; m < 2.0f; m += 0.000731f) {
      const float x = std::ldexp(m, k);
      if (x == 1.0f) continue;  // log 1 = 0 exactly: no spacing to measure in
      worst = std::max(worst, ulps(detail::log_float(x), std::log(double(x))));
    }
  CHECK(worst <= 3.0);
  CHECK(detail::log_float(1.0f) == 0.0f);
  CHECK(detail::log_float(std::exp(1.0f)) == doctest::Approx(1.0).epsilon(1e-7));
}

TEST_CASE("log1p: the libm-free float log(1 + u) keeps small u's digits: within 3 ulp on [0, 1]") {
  double worst = 0;
  for (float u = 1e-30f; u <= 1.0f; u *= 1.0137f) worst = std::max(worst, ulps(detail::log1p_unit_float(u), std::log1p(double(u))));
  for (float u = 0.0f; u <= 1.0f; u += 0.000173f)
    if (u > 0) worst = std::max(worst, ulps(detail::log1p_unit_float(u), std::log1p(double(u))));
  CHECK(worst <= 3.0);
  CHECK(detail::log1p_unit_float(0.0f) == 0.0f);
  // binary_crossentropy's softplus(-a) = log(1 + e^-a): float's, beside double's.
  for (const float a : {0.0f, 0.5f, 3.0f, 20.0f, 80.0f})
    CHECK(detail::log1p_exp_negative(a) == doctest::Approx(detail::log1p_exp_negative(double(a))).epsilon(1e-6));
  CHECK(detail::log1p_exp_negative(200.0f) == 0.0f);  // e^-200 is under float's range
}

TEST_CASE("tanh: the libm-free float tanh is within 5 ulp of tanh over every 61st float, odd, tails and NaN kept") {
  double worst = 0;
  std::size_t not_odd = 0;
  const auto last = std::bit_cast<std::uint32_t>(12.0f);
  for (std::uint32_t bits = 1; bits < last; bits += 61) {  // every exponent, mantissas all over each binade
    const float x = std::bit_cast<float>(bits), y = detail::tanh_float(x);
    worst = std::max(worst, ulps(y, std::tanh(double(x))));
    not_odd += detail::tanh_float(-x) != -y;
  }
  CHECK(worst <= 5.0);
  CHECK(not_odd == 0);
  CHECK(detail::tanh_float(1e-40f) == 1e-40f);  // a denormal is its own tanh
  CHECK(detail::tanh_float(-50.0f) == -1.0f);
  CHECK(detail::tanh_float(9.5f) == 1.0f);
  CHECK(detail::tanh_float(0.0f) == 0.0f);
  CHECK(std::isnan(detail::tanh_float(std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("tanh: a vector of floats gets tanh_float's bits in every lane (the recurrent cells' gates use it)") {
  constexpr std::size_t lanes = detail::simd<float>::lanes;
  for (float start = -10.0f; start < 10.0f; start += 0.0137f * lanes) {
    detail::float_vector v;
    for (std::size_t i = 0; i < lanes; ++i) v[i] = start + 0.0137f * float(i);
    const detail::float_vector y = detail::tanh_rational(v);
    for (std::size_t i = 0; i < lanes; ++i) CHECK(y[i] == detail::tanh_float(v[i]));
  }
}

TEST_CASE("unary: sqrt, abs, gelu, leaky_relu, softplus match finite differences") {
  test::check_gradients<decltype(ctgraph::sqrt(softplus(x * p + q)))>();
  test::check_gradients<decltype(ctgraph::abs(x * p + q))>();
  test::check_gradients<decltype(gelu(scale<3.0>(x * p + q)))>();
  test::check_gradients<decltype(leaky_relu(scale<2.0>(x * p + q)))>();
  test::check_gradients<decltype(leaky_relu<0.3>(x * p + q))>();
  test::check_gradients<decltype(softplus(scale<4.0>(x * p + q)))>();
}

TEST_CASE("unary: the new ops' values and derivatives at known points") {
  CHECK(gelu_op::f(1.0) == doctest::Approx(0.8413447460685429).epsilon(1e-14));     // torch.nn.functional.gelu(1.)
  CHECK(gelu_op::f(-2.0) == doctest::Approx(-0.04550026389635842).epsilon(1e-13));
  CHECK(softplus_op::f(-800.0) == 0.0);
  CHECK(softplus_op::f(800.0) == 800.0);
  CHECK(softplus_op::df(0.0, softplus_op::f(-40.0)) == doctest::Approx(std::exp(-40.0)).epsilon(1e-12));
  CHECK(abs_op::df(0.0, 0.0) == 0.0);
  CHECK(leaky_relu_op<0.01>::f(-2.0) == -0.02);
  CHECK(leaky_relu_op<0.01>::df(0.0, 0.0) == 0.01);  // PyTorch: the slope at 0 is the negative side's
}

namespace {
// --8<-- [start:op]
// x^2 with its derivative written from x: 2 x. Run in an epilogue (where x is overwritten by y)
// it would compute 2 x^2 and be silently wrong, so it must not fuse.
struct square_from_input {
  static constexpr derivative_of derivative = derivative_of::input;
  static constexpr bool fuses_into_epilogue = true;  // asked for, but refused: f' needs x
  static constexpr std::string_view name = "square";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T v) { return v * v; }
  template <class T> static T df(T v, T) { return T(2) * v; }
};
// --8<-- [end:op]
// The same function with its derivative from y (2 sqrt(y), x >= 0 here): may fuse.
struct square_from_output {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "square";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T v) { return v * v; }
  template <class T> static T df(T, T y) { return T(2) * std::sqrt(y); }
};
template <class N>
inline constexpr bool is_affine_node = false;
template <class X, class W, class B, class Act>
inline constexpr bool is_affine_node<affine_node<X, W, B, Act>> = true;
}  // namespace

TEST_CASE("unary: an op whose derivative needs x is not fused into the product's epilogue, and stays right") {
  constexpr auto v = input<4>;
  using needs_x = decltype(activation::elementwise_t<square_from_input>{}(dense<3>(v)));
  using fused = detail::fused_graph<needs_x>;
  static_assert(!op_traits<square_from_input>::fuses_into_epilogue);
  static_assert(std::is_same_v<typename fused::op, square_from_input>);   // its own node ...
  static_assert(is_affine_node<typename detail::type_at<0, typename fused::children>::type::inner>);  // ... over a plain affine node
  test::check_gradients<needs_x>();

  using reads_y = decltype(dense<3>(v, activation::elementwise_t<square_from_output>{}));
  static_assert(is_affine_node<typename detail::fused_graph<reads_y>::inner>);  // one node: fused
  // The library's own ops say the same: gelu and abs need x, softplus and leaky_relu read y.
  static_assert(!op_traits<gelu_op>::fuses_into_epilogue && !op_traits<abs_op>::fuses_into_epilogue &&
                !op_traits<log_op>::fuses_into_epilogue);
  static_assert(op_traits<softplus_op>::fuses_into_epilogue && op_traits<leaky_relu_op<0.01>>::fuses_into_epilogue &&
                op_traits<relu_op>::fuses_into_epilogue);
  using gelu_dense = decltype(dense<3>(v, activation::gelu));
  static_assert(std::is_same_v<typename detail::fused_graph<gelu_dense>::inner::op, gelu_op>);
  test::check_gradients<gelu_dense>();
  test::check_gradients<decltype(dense<3>(v, activation::softplus))>();
  test::check_gradients<decltype(dense<3>(v, activation::leaky_relu))>();
}
