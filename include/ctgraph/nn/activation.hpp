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

inline constexpr linear_t linear{};
inline constexpr elementwise_t<relu_op> relu{};
inline constexpr elementwise_t<tanh_op> tanh{};
inline constexpr elementwise_t<sigmoid_op> sigmoid{};
inline constexpr softmax_t softmax{};
inline constexpr elementwise_t<gelu_op> gelu{};
inline constexpr elementwise_t<leaky_relu_op<0.01>> leaky_relu{};
inline constexpr elementwise_t<softplus_op> softplus{};

}  // namespace ctgraph::activation
