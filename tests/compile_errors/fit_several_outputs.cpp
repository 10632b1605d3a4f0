// Mistake: fit on a graph of two outputs, whose weighted_sum targets are blocks, not rows of a data set.
// expect: ctgraph: fit, evaluate: a graph of several outputs is trained step by step with train_step
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<6>;
constexpr auto g = ctgraph::outputs(ctgraph::dense<1>(x), ctgraph::dense<2>(x, ctgraph::activation::softmax));
using loss = ctgraph::weighted_sum<0.5, ctgraph::mean_squared_error, 0.5, ctgraph::categorical_crossentropy>;

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
#ifdef EXPECT_ERROR
  ctgraph::dataset<float> data{xt::xtensor<float, 2>({8, 6}), xt::xtensor<float, 2>({8, 3})};
  ctgraph::fit(m, loss{}, ctgraph::keras_adam(0.01), data);
#else
  m.train_step(loss{}, ctgraph::keras_adam(0.01));
#endif
}
