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

/// "atten_1" + ".k": names of the layers a layer function builds.
template <fixed_string A, fixed_string B>
constexpr auto concat() {
  char text[sizeof(A.chars) + sizeof(B.chars) - 1]{};
  std::copy_n(A.chars, sizeof(A.chars) - 1, text);
  std::copy_n(B.chars, sizeof(B.chars), text + sizeof(A.chars) - 1);
  return fixed_string<sizeof(text)>(text);
}

}  // namespace ctgraph
