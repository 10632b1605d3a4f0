// A string usable as a template argument: layer and parameter names are part
// of a node's type, so two uses of the same name are the same node.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ctgraph {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};

  constexpr fixed_string(const char (&text)[N]) { std::copy_n(text, N, chars); }

  constexpr std::string_view view() const { return {chars, N - 1}; }
  constexpr bool empty() const { return N == 1; }
};

}  // namespace ctgraph
