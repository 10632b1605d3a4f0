// Mistake: a model whose scalar is int rather than float or double.
// expect: ctgraph: model<graph, batch, scalar>: the scalar is float (speed) or double (gradient checks)
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto g = ctgraph::dense<1>(x, ctgraph::activation::sigmoid);

int main() {
#ifdef EXPECT_ERROR
  ctgraph::model<std::remove_const_t<decltype(g)>, 4, int> m;
#else
  ctgraph::model<std::remove_const_t<decltype(g)>, 4, double> m;
#endif
  m.forward();
}
