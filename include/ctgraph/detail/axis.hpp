// A per-sample axis seen in the batched buffer: everything before it (batch
// included) is `outer`, the axis has `length`, everything after is `inner`.
#pragma once

#include <cstddef>

namespace ctgraph::detail {

template <class FullShape, std::size_t Axis>  // Axis counts the batch dimension as 0
struct axis_split {
  static constexpr std::size_t outer = [] {
    std::size_t n = 1;
    for (std::size_t d = 0; d < Axis; ++d) n *= FullShape::dims[d];
    return n;
  }();
  static constexpr std::size_t length = FullShape::dims[Axis];
  static constexpr std::size_t inner = FullShape::size / (outer * length);
};

/// A user's axis (negative counts from the back) as an index into a shape of rank R.
template <int Axis, std::size_t Rank>
inline constexpr std::size_t normalized_axis = Axis < 0 ? std::size_t(int(Rank) + Axis) : std::size_t(Axis);

template <int Axis, std::size_t Rank>
inline constexpr bool axis_in_range = Axis < int(Rank) && Axis >= -int(Rank);

}  // namespace ctgraph::detail
