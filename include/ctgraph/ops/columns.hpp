// y = a[..., Begin : Begin + Count], a slice along the last axis    a: [..., W]   y: [..., Count]
// backward: da[..., Begin + j] += g[..., j]; the other columns get nothing
// Element-wise in kind (each y reads one a), so a chain through it stays one loop: the
// gates of a GRU or LSTM are columns of one product, read where they are used.
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class S, std::size_t Count>
struct replace_back {
  constexpr std::array<std::size_t, S::rank> operator()() const {
    std::array<std::size_t, S::rank> out{};
    for (std::size_t d = 0; d < S::rank; ++d) out[d] = S::dims[d];
    out[S::rank - 1] = Count;
    return out;
  }
};
}  // namespace detail

template <std::size_t Begin, std::size_t Count, node A>
struct columns_node {
  static constexpr std::size_t width = A::shape::dim_from_back(0);
  using shape = detail::shape_from<A::shape::rank, detail::replace_back<typename A::shape, Count>>;
  using children = type_list<A>;
  static constexpr bool is_elementwise = true;
  static constexpr std::string_view type_name = "Slice";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = columns_node<Begin, Count, C...>;

  static constexpr std::size_t source(std::size_t i) { return i / Count * width + Begin + i % Count; }
  template <class Ctx>
  static auto at(const Ctx& c, std::size_t i) {
    return c.template load<A>(source(i));
  }
  template <class Ctx>
  static void push(const Ctx& c, std::size_t i, typename Ctx::scalar g) {
    c.template accumulate<A>(source(i), g);
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    auto* y = c.template value<columns_node>();
    for (std::size_t i = 0; i < Ctx::template full<columns_node>::size; ++i) y[i] = at(c, i);
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    const auto* g = c.template grad<columns_node>();
    for (std::size_t i = 0; i < Ctx::template full<columns_node>::size; ++i) push(c, i, g[i]);
  }
};

namespace detail {
template <std::size_t Begin, std::size_t Count, class Shape>
struct check_columns {
  static_assert(Shape::rank >= 1, "ctgraph: columns<begin, count>(x): x must have at least one dimension");
  static_assert(Shape::rank < 1 || (Count > 0 && Begin + Count <= Shape::dim_from_back(0)),
                "ctgraph: columns<begin, count>(x): the slice must be non-empty and end within x's last dimension");
  static constexpr bool ok = Shape::rank >= 1 && Count > 0 && Begin + Count <= Shape::dim_from_back(0);
};
}  // namespace detail

/// Columns Begin .. Begin + Count - 1 of x's last axis: `columns<0, 8>(gates)`.
template <std::size_t Begin, std::size_t Count, node A>
constexpr auto columns(A a) {
  if constexpr (detail::check_columns<Begin, Count, typename A::shape>::ok)
    return columns_node<Begin, Count, A>{};
  else
    return a;
}

}  // namespace ctgraph
