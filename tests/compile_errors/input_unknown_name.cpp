// Mistake: filling an input by a name that no input of the graph has.
// expect: no input of this graph has that name
// (not the whole message: clang prints it as a literal, input<\"name\">)
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
constexpr auto right = ctgraph::named_input<"right", 2>;
constexpr auto g = ctgraph::dense<1>(ctgraph::concat(left, right));

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
#ifdef EXPECT_ERROR
  auto rows = m.input<"middle">();
#else
  auto rows = m.input<"right">();
#endif
  return rows.empty() ? 1 : 0;
}
