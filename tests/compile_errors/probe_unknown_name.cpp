// Mistake: probing a layer by a name that no layer of the graph has.
// expect: no layer of this graph has that name
// (not the whole message: clang prints it as a literal, probe<\"name\">)
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto g = ctgraph::dense<1>(ctgraph::dense<8, "hidden">(x, ctgraph::activation::relu));

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
#ifdef EXPECT_ERROR
  auto values = m.probe<"no_such_layer">();
#else
  auto values = m.probe<"hidden">();
#endif
  return values.empty() ? 1 : 0;
}
