// Mistake: multiplying the [20] input by the [6] output of dense<6>: [20] and [6] do not broadcast.
// expect: ctgraph: a * b: the shapes do not broadcast
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
#ifdef EXPECT_ERROR
constexpr auto attention = ctgraph::dense<6>(x, ctgraph::activation::softmax);
#else
constexpr auto attention = ctgraph::dense<20>(x, ctgraph::activation::softmax);
#endif
constexpr auto g = ctgraph::dense<1>(x * attention, ctgraph::activation::sigmoid);

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  m.forward();
}
