// A real number usable as a template argument: scale<0.5>(x), dropout<0.1>(x), huber<1.5>.
// C++20 allows a double there, but clang before 18 does not ("non-type template argument
// of type 'double' is not yet supported"); a class that holds the double's bits is a
// structural type both compilers take, and it converts back exactly.
#pragma once

#include <bit>
#include <cstdint>

namespace ctgraph {

struct real {
  std::uint64_t bits;

  constexpr real(double value) noexcept : bits(std::bit_cast<std::uint64_t>(value)) {}
  constexpr operator double() const noexcept { return std::bit_cast<double>(bits); }
  constexpr double value() const noexcept { return std::bit_cast<double>(bits); }
};

}  // namespace ctgraph
