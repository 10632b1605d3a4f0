// Mistake: a model with a batch size of 0.
// expect: ctgraph: model<graph, batch>: the batch size must be at least 1
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto g = ctgraph::dense<1>(x, ctgraph::activation::sigmoid);

int main() {
#ifdef EXPECT_ERROR
  ctgraph::model<std::remove_const_t<decltype(g)>, 0> m;
#else
  ctgraph::model<std::remove_const_t<decltype(g)>, 1> m;
#endif
  m.forward();
}
