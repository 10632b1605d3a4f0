// Activations as values, to hand to a layer: dense<6>(x, activation::relu).
// (As values they could not share the names of the functions relu(x), tanh(x).)
#pragma once

#include "ctgraph/ops/softmax.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph::activation {

struct linear_t {
  static constexpr std::string_view name = "linear";
  template <node A> constexpr auto operator()(A a) const { return a; }
};
template <class Op>
struct elementwise_t {
  static constexpr std::string_view name = Op::name;
  template <node A> constexpr auto operator()(A) const { return unary_node<Op, A>{}; }
};
struct softmax_t {
  static constexpr std::string_view name = "softmax";
  template <node A> constexpr auto operator()(A a) const { return ctgraph::softmax(a); }
};

// The common ones are types of their own: a layer's type names its activation, and relu_t is
// shorter to read in a compiler's message than elementwise_t<relu_op>.
struct relu_t : elementwise_t<relu_op> {};
struct tanh_t : elementwise_t<tanh_op> {};
struct sigmoid_t : elementwise_t<sigmoid_op> {};
struct gelu_t : elementwise_t<gelu_op> {};

inline constexpr linear_t linear{};
inline constexpr relu_t relu{};
inline constexpr tanh_t tanh{};
inline constexpr sigmoid_t sigmoid{};
inline constexpr softmax_t softmax{};
inline constexpr gelu_t gelu{};
inline constexpr elementwise_t<leaky_relu_op<0.01>> leaky_relu{};
inline constexpr elementwise_t<softplus_op> softplus{};

}  // namespace ctgraph::activation
