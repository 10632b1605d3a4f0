// y = x[index], one step of a sequence    x: [T, ...]   y: [...]
// backward: dx[index] += g; the other steps get nothing
#pragma once

#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class S>
struct drop_front {
  constexpr std::array<std::size_t, S::rank - 1> operator()() const {
    std::array<std::size_t, S::rank - 1> out{};
    for (std::size_t d = 1; d < S::rank; ++d) out[d - 1] = S::dims[d];
    return out;
  }
};
}  // namespace detail

template <std::size_t Index, node A>
struct step_node {
  using shape = detail::shape_from<A::shape::rank - 1, detail::drop_front<typename A::shape>>;
  using children = type_list<A>;
  static constexpr std::string_view type_name = "Step";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = step_node<Index, C...>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    constexpr std::size_t rows = Ctx::template full<step_node>::size / shape::size, width = shape::size;
    constexpr std::size_t steps = A::shape::dims[0];
    const auto* x = c.template value<A>();
    auto* y = c.template value<step_node>();
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < width; ++j) y[r * width + j] = x[(r * steps + Index) * width + j];
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    constexpr std::size_t rows = Ctx::template full<step_node>::size / shape::size, width = shape::size;
    constexpr std::size_t steps = A::shape::dims[0];
    const auto* g = c.template grad<step_node>();
    auto* dx = c.template grad<A>();
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < width; ++j) dx[(r * steps + Index) * width + j] += g[r * width + j];
  }
};

namespace detail {
template <std::size_t Index, class Shape>
struct check_step {
  static_assert(Shape::rank >= 1, "ctgraph: step<index>(x): x must be a sequence [T, ...] per sample");
  static_assert(Shape::rank < 1 || Index < Shape::dim_from_back(Shape::rank - 1),
                "ctgraph: step<index>(x): the index is past the last step of x");
  static constexpr bool ok = Shape::rank >= 1 && Index < Shape::dim_from_back(Shape::rank - 1);
};
}  // namespace detail

/// Step `Index` of a sequence [T, ...]: [...].
template <std::size_t Index, node A>
constexpr auto step(A a) {
  if constexpr (detail::check_step<Index, typename A::shape>::ok)
    return step_node<Index, A>{};
  else
    return a;
}

/// The last step of a sequence [T, ...] (what a recurrent layer returns without return_sequences).
template <node A>
constexpr auto last_step(A a) {
  static_assert(A::shape::rank >= 1, "ctgraph: last_step(x): x must be a sequence [T, ...] per sample");
  if constexpr (A::shape::rank >= 1)
    return step<A::shape::dims[0] - 1>(a);
  else
    return a;
}

}  // namespace ctgraph
