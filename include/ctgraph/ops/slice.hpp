// y = x[..., Begin:End, ...] along one axis    x: [..., L, ...]  y: [..., End - Begin, ...]
// backward: dx[..., Begin:End, ...] += g; the rest of x gets nothing
#pragma once

#include "ctgraph/detail/axis.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

namespace detail {
template <class S, std::size_t Axis, std::size_t Length>
struct with_dim {
  constexpr std::array<std::size_t, S::rank> operator()() const {
    std::array<std::size_t, S::rank> out{};
    for (std::size_t d = 0; d < S::rank; ++d) out[d] = d == Axis ? Length : S::dims[d];
    return out;
  }
};
}  // namespace detail

template <std::size_t Axis, std::size_t Begin, std::size_t End, node A>  // Axis normalized, per sample
struct slice_node {
  using shape = detail::shape_from<A::shape::rank, detail::with_dim<typename A::shape, Axis, End - Begin>>;
  using children = type_list<A>;
  static constexpr std::string_view type_name = "Slice";
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = slice_node<Axis, Begin, End, C...>;

  template <class Ctx>
  using split = detail::axis_split<typename Ctx::template full<A>, Axis + 1>;

  template <class Ctx>
  static void forward(const Ctx& c) {
    using sp = split<Ctx>;
    constexpr std::size_t width = (End - Begin) * sp::inner;
    const auto* x = c.template value<A>();
    auto* y = c.template value<slice_node>();
    for (std::size_t o = 0; o < sp::outer; ++o)
      for (std::size_t j = 0; j < width; ++j) y[o * width + j] = x[(o * sp::length + Begin) * sp::inner + j];
  }
  template <class Ctx>
  static void backward(const Ctx& c) {
    using sp = split<Ctx>;
    constexpr std::size_t width = (End - Begin) * sp::inner;
    const auto* g = c.template grad<slice_node>();
    for (std::size_t o = 0; o < sp::outer; ++o)
      for (std::size_t j = 0; j < width; ++j) c.template accumulate<A>((o * sp::length + Begin) * sp::inner + j, g[o * width + j]);
  }
};

/// x[..., Begin:End, ...] along an axis of the sample: slice<0, 2, 5>(x) keeps steps 2, 3, 4.
template <int Axis, std::size_t Begin, std::size_t End, node A>
constexpr auto slice(A a) {
  static_assert(detail::axis_in_range<Axis, A::shape::rank>, "ctgraph: slice<axis, begin, end>(x): the axis is not one of x's");
  if constexpr (detail::axis_in_range<Axis, A::shape::rank>) {
    constexpr std::size_t axis = detail::normalized_axis<Axis, A::shape::rank>;
    static_assert(Begin < End && End <= A::shape::dims[axis],
                  "ctgraph: slice<axis, begin, end>(x): begin < end <= x's size along the axis must hold");
    if constexpr (Begin < End && End <= A::shape::dims[axis])
      return slice_node<axis, Begin, End, A>{};
    else
      return a;
  } else {
    return a;
  }
}

}  // namespace ctgraph
