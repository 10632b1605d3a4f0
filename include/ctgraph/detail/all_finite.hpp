// Whether a step's loss and gradient are finite: fit updates the model only then, and a threaded
// step's other threads (train/parallel_step.hpp) decide the same for their copies of it.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>

namespace ctgraph::detail {

/// Whether every value is finite: one pass over the exponent bits (all ones: infinity or NaN),
/// which vectorizes. (finite &= std::isfinite(v) did not: a compare and a chained and per value,
/// 6.4 us over attention_column's 3,233 gradients, a sixth of its step; this is 0.4 us.)
template <class S>
bool all_finite(std::span<const S> values) {
  using bits = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
  constexpr bits exponent = sizeof(S) == 4 ? bits(0x7f800000u) : bits(0x7ff0000000000000ull);
  bits not_finite = 0;
  for (const S v : values) not_finite |= bits((std::bit_cast<bits>(v) & exponent) == exponent);
  return not_finite == 0;
}

/// Whether a step may update: its summed loss and every gradient finite.
template <class S>
bool step_is_finite(double loss, std::span<const S> gradients) {
  return std::isfinite(loss) && all_finite(gradients);
}

}  // namespace ctgraph::detail
