// y = f(x), element by element    x, y: same shape
// backward: dx = f'(x) g, with f' written from x and y side by side with f.
// relu'(0) = 0, as in Keras and PyTorch.
#pragma once

#include <cmath>

#include "ctgraph/detail/fast_math.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

struct identity_op {
  static constexpr std::string_view name = "linear";
  static constexpr std::size_t cost = 0;
  template <class T> static T f(T x) { return x; }
  template <class T> static T df(T, T) { return T(1); }
};
struct relu_op {
  static constexpr std::string_view name = "relu";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return x > T(0) ? x : T(0); }
  template <class T> static T df(T x, T) { return x > T(0) ? T(1) : T(0); }
};
struct tanh_op {
  static constexpr bool transcendental = true;
  static constexpr std::string_view name = "tanh";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return detail::tanh(x); }
  template <class T> static T df(T, T y) { return T(1) - y * y; }
};
struct sigmoid_op {
  static constexpr bool transcendental = true;
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
  static constexpr std::string_view name = "exp";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::exp(x); }
  template <class T> static T df(T, T y) { return y; }
};
struct log_op {
  static constexpr bool transcendental = true;
  static constexpr std::string_view name = "log";
  static constexpr std::size_t cost = 1;
  template <class T> static T f(T x) { return std::log(x); }
  template <class T> static T df(T x, T) { return T(1) / x; }
};

/// Multiplication by a constant known at compile time.
template <double Factor>
struct scale_op {
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
template <double Factor, node A> constexpr auto scale(A) { return unary_node<scale_op<Factor>, A>{}; }

/// sqrt for constant expressions (std::sqrt is not constexpr in C++20).
constexpr double constexpr_sqrt(double x) {
  if (x <= 0) return 0;
  double r = x > 1 ? x : 1;
  for (int i = 0; i < 64; ++i) r = 0.5 * (r + x / r);
  return r;
}

}  // namespace ctgraph
