// y = a op b, element by element, with numpy broadcasting    op: + - * /
// backward: da = dy/da g and db = dy/db g, each summed over the dimensions it was broadcast along
// (an unbroadcast operand such as a parameter sums over the batch too).
#pragma once

#include <type_traits>

#include "ctgraph/node.hpp"

namespace ctgraph {

struct add_op {
  static constexpr std::string_view symbol = "+", type_name = "Add";
  template <class T> static T f(T a, T b) { return a + b; }
  template <class T> static T da(T, T) { return T(1); }
  template <class T> static T db(T, T) { return T(1); }
};
struct sub_op {
  static constexpr std::string_view symbol = "-", type_name = "Subtract";
  template <class T> static T f(T a, T b) { return a - b; }
  template <class T> static T da(T, T) { return T(1); }
  template <class T> static T db(T, T) { return T(-1); }
};
struct mul_op {
  static constexpr std::string_view symbol = "*", type_name = "Multiply";
  template <class T> static T f(T a, T b) { return a * b; }
  template <class T> static T da(T, T b) { return b; }
  template <class T> static T db(T a, T) { return a; }
};
struct div_op {
  static constexpr std::string_view symbol = "/", type_name = "Divide";
  template <class T> static T f(T a, T b) { return a / b; }
  template <class T> static T da(T, T b) { return T(1) / b; }
  template <class T> static T db(T a, T b) { return -a / (b * b); }
};

template <class Op, node A, node B>
struct binary_node {
  using shape = broadcast_t<typename A::shape, typename B::shape>;
  using children = type_list<A, B>;
  using op = Op;
  static constexpr bool is_elementwise = true;
  static constexpr std::string_view type_name = Op::type_name;
  static constexpr std::size_t flops = shape::size;
  static constexpr std::size_t backward_flops = (needs_grad<A> + needs_grad<B>) * 2 * shape::size;
  template <class... C>
  using with_children = binary_node<Op, C...>;
  /// An operand not broadcast gets element i of its gradient from element i's alone.
  template <class C>
  static constexpr bool assigns_grad_of = (std::is_same_v<C, A> || std::is_same_v<C, B>) &&
                                          std::is_same_v<typename C::shape, shape> &&
                                          is_batched<C> == is_batched<binary_node>;

  template <class Ctx, class Child>
  static constexpr std::size_t index(std::size_t i) {
    return detail::broadcast_index<typename Ctx::template full<binary_node>, typename Ctx::template full<Child>>(i);
  }
  template <class Ctx>
  static auto at(const Ctx& c, std::size_t i) {
    return Op::f(c.template load<A>(index<Ctx, A>(i)), c.template load<B>(index<Ctx, B>(i)));
  }
  template <class Ctx>
  static void push(const Ctx& c, std::size_t i, typename Ctx::scalar g) {
    const std::size_t ia = index<Ctx, A>(i), ib = index<Ctx, B>(i);
    const auto a = c.template load<A>(ia);
    const auto b = c.template load<B>(ib);
    c.template accumulate<A>(ia, g * Op::da(a, b));
    c.template accumulate<B>(ib, g * Op::db(a, b));
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<binary_node>();
    for (std::size_t i = 0; i < Ctx::template full<binary_node>::size; ++i) y[i] = at(c, i);
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    using out = typename Ctx::template full<binary_node>;
    const auto* g = c.template grad<binary_node>();
    if constexpr (needs_grad<A> && along_last<out, typename Ctx::template full<A>>())
      backward_by_rows<Ctx, A, B>(c, g);
    else if constexpr (needs_grad<B> && along_last<out, typename Ctx::template full<B>>())
      backward_by_rows<Ctx, B, A>(c, g);
    else
      for (std::size_t i = 0; i < out::size; ++i) push(c, i, g[i]);
  }

 private:
  /// Whether In is broadcast along Out's last axis alone ([..., 1] against [..., W]): element i of
  /// y reads element i / W of it, as alpha [T, 1] in temporal attention's alpha * h [T, N].
  template <class Out, class In>
  static constexpr bool along_last() {
    if (In::rank != Out::rank || In::dim_from_back(0) != 1 || Out::dim_from_back(0) == 1) return false;
    for (std::size_t k = 1; k < Out::rank; ++k)
      if (In::dim_from_back(k) != Out::dim_from_back(k)) return false;
    return true;
  }
  /// The gradient of Row, broadcast along the last axis, summed over each row in a register and
  /// added once a row: element by element, the row's W additions went through memory one after
  /// another (a chain of stores and loads). Other gets its gradient element by element, as push.
  template <class Ctx, class Row, class Other>
  static void backward_by_rows(const Ctx& c, const typename Ctx::scalar* g) {
    using out = typename Ctx::template full<binary_node>;
    constexpr std::size_t width = out::dim_from_back(0);
    for (std::size_t r = 0; r < out::size / width; ++r) {
      const auto row = c.template load<Row>(r);
      typename Ctx::scalar sum = 0;
      for (std::size_t i = r * width; i < (r + 1) * width; ++i) {
        const std::size_t io = index<Ctx, Other>(i);
        const auto other = c.template load<Other>(io);
        const auto a = std::is_same_v<Row, A> ? row : other, b = std::is_same_v<Row, A> ? other : row;
        sum += g[i] * (std::is_same_v<Row, A> ? Op::da(a, b) : Op::db(a, b));
        c.template accumulate<Other>(io, g[i] * (std::is_same_v<Row, A> ? Op::db(a, b) : Op::da(a, b)));
      }
      c.template accumulate<Row>(r, sum);
    }
  }
};

namespace detail {
// Instantiated with the two shapes, so that the compiler's note names them:
// "broadcastable<shape<20>, shape<6> >() evaluates to false". One per operator,
// so that the message shows the operator the user wrote.
template <class Op, class ShapeA, class ShapeB>
struct check_broadcast;
template <class A, class B>
struct check_broadcast<add_op, A, B> {
  static_assert(broadcastable<A, B>(), "ctgraph: a + b: the shapes do not broadcast; aligned from the right, each "
                                       "pair of dimensions must be equal or one of them 1");
  static constexpr bool ok = broadcastable<A, B>();
};
template <class A, class B>
struct check_broadcast<sub_op, A, B> {
  static_assert(broadcastable<A, B>(), "ctgraph: a - b: the shapes do not broadcast; aligned from the right, each "
                                       "pair of dimensions must be equal or one of them 1");
  static constexpr bool ok = broadcastable<A, B>();
};
template <class A, class B>
struct check_broadcast<mul_op, A, B> {
  static_assert(broadcastable<A, B>(), "ctgraph: a * b: the shapes do not broadcast; aligned from the right, each "
                                       "pair of dimensions must be equal or one of them 1 (matmul is the product of matrices)");
  static constexpr bool ok = broadcastable<A, B>();
};
template <class A, class B>
struct check_broadcast<div_op, A, B> {
  static_assert(broadcastable<A, B>(), "ctgraph: a / b: the shapes do not broadcast; aligned from the right, each "
                                       "pair of dimensions must be equal or one of them 1");
  static constexpr bool ok = broadcastable<A, B>();
};

// The operators ask check_broadcast themselves: the error's context is then the user's
// expression alone, not also a helper spelling out both operands' types.
template <class Op, class A, class B, bool Broadcasts>
constexpr auto make_binary() {
  if constexpr (Broadcasts)
    return binary_node<Op, A, B>{};
  else
    return A{};  // the static_assert has spoken; stop here without a cascade
}
template <class Op, class A, class B>
using broadcast_check = check_broadcast<Op, typename A::shape, typename B::shape>;
}  // namespace detail

/// Element-wise sum, with broadcasting.
template <node A, node B> constexpr auto operator+(A, B) {
  return detail::make_binary<add_op, A, B, detail::broadcast_check<add_op, A, B>::ok>();
}
/// Element-wise difference, with broadcasting.
template <node A, node B> constexpr auto operator-(A, B) {
  return detail::make_binary<sub_op, A, B, detail::broadcast_check<sub_op, A, B>::ok>();
}
/// Element-wise product, with broadcasting (Keras' Multiply).
template <node A, node B> constexpr auto operator*(A, B) {
  return detail::make_binary<mul_op, A, B, detail::broadcast_check<mul_op, A, B>::ok>();
}
/// Element-wise quotient, with broadcasting.
template <node A, node B> constexpr auto operator/(A, B) {
  return detail::make_binary<div_op, A, B, detail::broadcast_check<div_op, A, B>::ok>();
}

}  // namespace ctgraph
