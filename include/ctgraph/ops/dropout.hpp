// Inverted dropout, in a training step:  y_i = x_i m_i / (1 - Rate),  m_i = [u_i >= Rate],  u_i uniform in [0, 1)
// outside one (evaluate, predict):       y = x
// backward: dx_i = g_i m_i / (1 - Rate) (g_i outside a training step)
// u_i is counter-based (detail::uniform_at): a function of the model's seed, the optimizer step, the
// dropout's position among the graph's dropouts and i (counted over the whole batch). Forward and
// backward draw the same mask without storing it, the same seed gives the same masks, and a step
// allocates nothing.
#pragma once

#include "ctgraph/detail/random.hpp"
#include "ctgraph/detail/type_list.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class T>
struct is_random : std::bool_constant<requires { requires T::is_random; }> {};
}  // namespace detail

template <real Rate, node A>
struct dropout_node {
  using shape = typename A::shape;
  using children = type_list<A>;
  static constexpr bool is_elementwise = true;
  static constexpr bool is_random = true;  // its value depends on the step's noise (context::noise)
  static constexpr std::string_view type_name = "Dropout";
  static constexpr std::size_t flops = 2 * shape::size;
  static constexpr std::size_t backward_flops = needs_grad<A> ? 2 * shape::size : 0;
  template <class... C>
  using with_children = dropout_node<Rate, C...>;
  template <class C>
  static constexpr bool assigns_grad_of = std::is_same_v<C, A>;

  /// m_i / (1 - Rate) in a training step, 1 outside one.
  template <class Ctx>
  static typename Ctx::scalar factor(const Ctx& c, std::size_t i) {
    using S = typename Ctx::scalar;
    if (!c.training) return S(1);
    // Each dropout of a graph draws its own stream: its index among them, in data-flow order.
    constexpr std::size_t stream =
        detail::index_of<typename detail::filter<typename Ctx::plan::nodes, detail::is_random>::type, dropout_node>::value;
    // Counted from the whole batch's first row, so that a grain of a threaded step draws its rows' mask.
    constexpr std::size_t row = is_batched<dropout_node> ? shape::size : 0;
    return detail::uniform_at(c.noise, stream, c.first_row * row + i) >= Rate ? S(1.0 / (1.0 - Rate)) : S(0);
  }
  template <class Ctx>
  static auto at(const Ctx& c, std::size_t i) {
    return c.template load<A>(i) * factor(c, i);
  }
  template <class Ctx>
  static void push(const Ctx& c, std::size_t i, typename Ctx::scalar g) {
    c.template accumulate<A>(i, g * factor(c, i));
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<dropout_node>();
    for (std::size_t i = 0; i < Ctx::template full<dropout_node>::size; ++i) y[i] = at(c, i);
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* g = c.template grad<dropout_node>();
    for (std::size_t i = 0; i < Ctx::template full<dropout_node>::size; ++i) push(c, i, g[i]);
  }
};

/// Drops each value with probability Rate in training, scaling the kept ones by 1 / (1 - Rate):
/// dropout<0.2>(x) as Keras' Dropout(0.2) and PyTorch's nn.Dropout(0.2).
template <real Rate, node A>
constexpr auto dropout(A a) {
  static_assert(Rate >= 0 && Rate < 1, "ctgraph: dropout<rate>(x): the rate must be at least 0 and below 1");
  if constexpr (Rate >= 0 && Rate < 1)
    return dropout_node<Rate, A>{};
  else
    return a;
}

}  // namespace ctgraph
