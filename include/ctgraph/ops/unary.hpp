// y = f(x), element by element    x, y: same shape
// backward: dx = f'(x) g, with f' written from x and y side by side with f.
//   relu      max(x, 0)                      f' = [y > 0]                 (relu'(0) = 0, as Keras and PyTorch)
//   tanh, sigmoid, exp, log, scale<c>          f' = 1 - y^2, y (1 - y), y, 1 / x, c
//   sqrt      x^(1/2)                        f' = 1 / (2 y)
//   abs       |x|                            f' = sign(x)                 (abs'(0) = 0, as PyTorch)
//   gelu      x Phi(x), Phi the normal CDF   f' = Phi(x) + x phi(x)       (exact, erf: PyTorch's and Keras' default)
//   leaky_relu<a>  x > 0 ? x : a x           f' = [y > 0] + a [y <= 0]    (a >= 0; PyTorch's default a = 0.01)
//   softplus  log(1 + e^x)                   f' = sigmoid(x) = 1 - e^-y
// Each op states what f' reads (`derivative`): the fusion pass puts only an op whose
// f' reads y alone into a product's epilogue, which overwrites x with y.
#pragma once

#include <cmath>

#include "ctgraph/detail/fast_math.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

/// What an element-wise op's derivative f'(x, y) is written from.
enum class derivative_of {
  output,  // y alone (tanh: 1 - y^2): it can run where only y is kept, as in an epilogue
  input,   // x (log: 1 / x): x must be kept
};

/// The properties an element-wise op states about itself, read by the fusion pass.
template <class Op>
struct op_traits {
  static_assert(requires { Op::derivative; },
                "ctgraph: an element-wise op must state what its derivative reads: "
                "static constexpr derivative_of derivative = derivative_of::output (or ::input)");
  static constexpr derivative_of derivative = Op::derivative;
  /// Into a product's epilogue, y = f(x W + b) in one pass: only when f' reads y alone, unless the op says no.
  static constexpr bool fuses_into_epilogue = [] {
    if constexpr (requires { Op::fuses_into_epilogue; })
      return Op::fuses_into_epilogue && derivative == derivative_of::output;
    else
      return derivative == derivative_of::output;
  }();
};

struct identity_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "linear";
  static constexpr std::size_t cost = 0;
  template <class T> static T f(T x) { return x; }
  template <class T> static T df(T, T) { return T(1); }
};
struct relu_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "relu";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return x > T(0) ? x : T(0); }
  template <class T> static T df(T, T y) { return y > T(0) ? T(1) : T(0); }  // y > 0 exactly when x > 0
};
struct tanh_op {
  static constexpr bool transcendental = true;
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "tanh";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return detail::tanh(x); }
  template <class T> static T df(T, T y) { return T(1) - y * y; }
};
struct sigmoid_op {
  static constexpr bool transcendental = true;
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "sigmoid";
  static constexpr std::size_t cost = 1;
  // Two branches so that exp never overflows.
  template <class T> static T f(T x) {
    if (x >= T(0)) return T(1) / (T(1) + detail::exp(-x));
    const T e = detail::exp(x);
    return e / (T(1) + e);
  }
  template <class T> static T df(T, T y) { return y * (T(1) - y); }
};
struct exp_op {
  static constexpr bool transcendental = true;
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "exp";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::exp(x); }
  template <class T> static T df(T, T y) { return y; }
};
struct log_op {
  static constexpr bool transcendental = true;
  static constexpr derivative_of derivative = derivative_of::input;
  static constexpr std::string_view name = "log";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::log(x); }
  template <class T> static T df(T x, T) { return T(1) / x; }
};

struct sqrt_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "sqrt", type_name = "Sqrt";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::sqrt(x); }
  template <class T> static T df(T, T y) { return T(0.5) / y; }
};
struct abs_op {
  static constexpr derivative_of derivative = derivative_of::input;  // |x| has lost x's sign
  static constexpr std::string_view name = "abs", type_name = "Abs";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::abs(x); }
  template <class T> static T df(T x, T) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)); }
};
struct gelu_op {
  static constexpr derivative_of derivative = derivative_of::input;  // y = x Phi(x) cannot be inverted cheaply
  static constexpr std::string_view name = "gelu";
  static constexpr std::size_t cost = 8;
  template <class T> static T f(T x) { return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440))); }
  template <class T> static T df(T x, T) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    return cdf + x * T(0.39894228040143267794) * std::exp(T(-0.5) * x * x);
  }
};
/// Slope Alpha below zero; Alpha >= 0 keeps the sign of x in y, so f' reads y.
template <real Alpha>
struct leaky_relu_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "leaky_relu", type_name = "LeakyReLU";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return x > T(0) ? x : T(Alpha) * x; }
  template <class T> static T df(T, T y) { return y > T(0) ? T(1) : T(Alpha); }
};
struct softplus_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "softplus";
  static constexpr std::size_t cost = 3;
  // max(x, 0) + log1p(e^-|x|): no overflow for large x, no loss of e^x for very negative x.
  template <class T> static T f(T x) { return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::abs(x))); }
  template <class T> static T df(T, T y) { return -std::expm1(-y); }
};

/// Multiplication by a constant known at compile time.
template <real Factor>
struct scale_op {
  static constexpr derivative_of derivative = derivative_of::output;
  static constexpr std::string_view name = "scale", type_name = "Scale";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return T(Factor) * x; }
  template <class T> static T df(T, T) { return T(Factor); }
};

template <class Op, node A>
struct unary_node {
  using shape = typename A::shape;
  using children = type_list<A>;
  using op = Op;
  using traits = op_traits<Op>;
  static constexpr bool is_elementwise = true;
  static constexpr std::string_view type_name = [] {
    if constexpr (requires { Op::type_name; })
      return Op::type_name;
    else
      return std::string_view("Activation");
  }();
  static constexpr std::size_t flops = shape::size * Op::cost;
  static constexpr std::size_t backward_flops = needs_grad<A> ? 2 * shape::size : 0;
  template <class... C>
  using with_children = unary_node<Op, C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, A>;  // element i of x's gradient from element i's

  template <class Ctx>
  static auto at(const Ctx& c, std::size_t i) {
    return Op::f(c.template load<A>(i));
  }
  template <class Ctx>
  static void push(const Ctx& c, std::size_t i, typename Ctx::scalar g) {
    const auto x = c.template load<A>(i);
    c.template accumulate<A>(i, g * Op::df(x, Op::f(x)));
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<unary_node>();
    for (std::size_t i = 0; i < Ctx::template full<unary_node>::size; ++i) y[i] = at(c, i);
  }
  // Materialized: f' reads the stored output instead of recomputing it.
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* y = c.template value<unary_node>();
    const auto* g = c.template grad<unary_node>();
    for (std::size_t i = 0; i < Ctx::template full<unary_node>::size; ++i)
      c.template accumulate<A>(i, g[i] * Op::df(c.template load<A>(i), y[i]));
  }
};

/// max(x, 0), element-wise.
template <node A> constexpr auto relu(A) { return unary_node<relu_op, A>{}; }
/// tanh(x), element-wise.
template <node A> constexpr auto tanh(A) { return unary_node<tanh_op, A>{}; }
/// 1 / (1 + exp(-x)), element-wise.
template <node A> constexpr auto sigmoid(A) { return unary_node<sigmoid_op, A>{}; }
/// exp(x), element-wise.
template <node A> constexpr auto exp(A) { return unary_node<exp_op, A>{}; }
/// Natural log, element-wise.
template <node A> constexpr auto log(A) { return unary_node<log_op, A>{}; }
/// Factor * x, element-wise, the factor a compile-time constant: scale<0.5>(x).
template <real Factor, node A> constexpr auto scale(A) { return unary_node<scale_op<Factor>, A>{}; }

/// Square root, element-wise (x > 0 where its gradient is taken).
template <node A> constexpr auto sqrt(A) { return unary_node<sqrt_op, A>{}; }
/// |x|, element-wise.
template <node A> constexpr auto abs(A) { return unary_node<abs_op, A>{}; }
/// x Phi(x), element-wise (the exact form, with erf).
template <node A> constexpr auto gelu(A) { return unary_node<gelu_op, A>{}; }
/// x above zero, Alpha x below: leaky_relu(x) has PyTorch's slope 0.01, leaky_relu<0.3>(x) Keras' layer's.
template <real Alpha = 0.01, node A> constexpr auto leaky_relu(A) {
  static_assert(Alpha >= 0, "ctgraph: leaky_relu<alpha>(x): alpha must be at least 0 (its derivative is read from y's sign)");
  return unary_node<leaky_relu_op<Alpha>, A>{};
}
/// log(1 + e^x), element-wise.
template <node A> constexpr auto softplus(A) { return unary_node<softplus_op, A>{}; }

/// sqrt for constant expressions (std::sqrt is not constexpr in C++20).
constexpr double constexpr_sqrt(double x) {
  if (x <= 0) return 0;
  double r = x > 1 ? x : 1;
  for (int i = 0; i < 64; ++i) r = 0.5 * (r + x / r);
  return r;
}

}  // namespace ctgraph
