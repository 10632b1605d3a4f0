// Mistake: training with binary_crossentropy a graph whose output is a linear dense, not a sigmoid.
// expect: ctgraph: binary_crossentropy: the graph must end in a sigmoid
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto h = ctgraph::dense<8>(x, ctgraph::activation::relu);
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::dense<1>(h);
#else
constexpr auto g = ctgraph::dense<1>(h, ctgraph::activation::sigmoid);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  const double loss = m.train_step(ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003));
  return loss >= 0 ? 0 : 1;
}
