// y = [a, b] joined along one axis    a: [..., La, ...]  b: [..., Lb, ...]  y: [..., La + Lb, ...]
// backward: da = g[..., :La, ...],  db = g[..., La:, ...]
// An operand without a batch (a parameter) is the same for every sample; its gradient sums over the batch.
#pragma once

#include "ctgraph/detail/axis.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class A, class B, std::size_t Axis>
struct concat_dims {
  constexpr std::array<std::size_t, A::rank> operator()() const {
    std::array<std::size_t, A::rank> out{};
    for (std::size_t d = 0; d < A::rank; ++d) out[d] = d == Axis ? A::dims[d] + B::dims[d] : A::dims[d];
    return out;
  }
};
template <class A, class B, std::size_t Axis>
constexpr bool concatenable() {
  if (A::rank != B::rank) return false;
  for (std::size_t d = 0; d < A::rank; ++d)
    if (d != Axis && A::dims[d] != B::dims[d]) return false;
  return true;
}
}  // namespace detail

template <std::size_t Axis, node A, node B>  // Axis normalized, per sample
struct concat_node {
  using shape = detail::shape_from<A::shape::rank, detail::concat_dims<typename A::shape, typename B::shape, Axis>>;
  using children = type_list<A, B>;
  static constexpr std::string_view type_name = "Concatenate";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = concat_node<Axis, C...>;

  // Along the axis, a row of y is a's row (la * inner values) then b's row (lb * inner).
  template <class Ctx, class Part, bool Forward>
  static void copy(const Ctx& c, std::size_t offset) {
    using S = typename Ctx::scalar;
    using out = detail::axis_split<typename Ctx::template full<concat_node>, Axis + 1>;
    using part = detail::axis_split<typename Ctx::template full<Part>, Axis + 1>;
    constexpr std::size_t width = part::length * part::inner, row = out::length * out::inner;
    for (std::size_t o = 0; o < out::outer; ++o) {
      const std::size_t from = (o % part::outer) * width;  // o % outer: a part without a batch repeats
      if constexpr (Forward) {
        const S* x = c.template value<Part>() + from;
        S* y = c.template value<concat_node>() + o * row + offset;
        for (std::size_t j = 0; j < width; ++j) y[j] = x[j];
      } else if constexpr (needs_grad<Part>) {
        const S* g = c.template grad<concat_node>() + o * row + offset;
        for (std::size_t j = 0; j < width; ++j) c.template accumulate<Part>(from + j, g[j]);
      }
    }
  }
  template <class Ctx>
  static void forward(const Ctx& c) {
    copy<Ctx, A, true>(c, 0);
    copy<Ctx, B, true>(c, A::shape::dims[Axis] * detail::axis_split<typename Ctx::template full<A>, Axis + 1>::inner);
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    copy<Ctx, A, false>(c, 0);
    copy<Ctx, B, false>(c, A::shape::dims[Axis] * detail::axis_split<typename Ctx::template full<A>, Axis + 1>::inner);
  }
};

/// a and b joined along an axis of the sample (default: the last); every other dimension must agree.
template <int Axis = -1, node A, node B>
constexpr auto concat(A a, B) {
  static_assert(A::shape::rank == B::shape::rank, "ctgraph: concat<axis>(a, b): a and b must have the same rank");
  static_assert(detail::axis_in_range<Axis, A::shape::rank>, "ctgraph: concat<axis>(a, b): the axis is not one of a's");
  constexpr bool ok = A::shape::rank == B::shape::rank && detail::axis_in_range<Axis, A::shape::rank>;
  if constexpr (ok) {
    constexpr std::size_t axis = detail::normalized_axis<Axis, A::shape::rank>;
    static_assert(detail::concatenable<typename A::shape, typename B::shape, axis>(),
                  "ctgraph: concat<axis>(a, b): a and b must have the same size in every dimension but the axis");
    if constexpr (detail::concatenable<typename A::shape, typename B::shape, axis>())
      return concat_node<axis, A, B>{};
    else
      return a;
  } else {
    return a;
  }
}

}  // namespace ctgraph
