// Mistake: training with categorical_crossentropy a graph whose output is a linear dense, not a softmax.
// expect: ctgraph: categorical_crossentropy: the graph must end in a softmax over a vector of classes
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto h = ctgraph::dense<8>(x, ctgraph::activation::relu);
#ifdef EXPECT_ERROR
constexpr auto g = ctgraph::dense<3>(h);
#else
constexpr auto g = ctgraph::dense<3>(h, ctgraph::activation::softmax);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  const double loss = m.train_step(ctgraph::categorical_crossentropy{}, ctgraph::keras_adam(0.003));
  return loss >= 0 ? 0 : 1;
}
