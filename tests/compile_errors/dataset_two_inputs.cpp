// Mistake: fit of a graph of two named inputs on a dataset (one array of inputs) instead of a multi_dataset.
// expect: ctgraph: fit, evaluate, predict: a graph of several inputs takes a multi_dataset
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
#ifdef EXPECT_ERROR
constexpr auto right = ctgraph::named_input<"right", 2>;
constexpr auto g = ctgraph::dense<1>(ctgraph::concat(left, right));
#else
constexpr auto g = ctgraph::dense<1>(left);
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  const ctgraph::dataset<float> data{xt::xtensor<float, 2>({8, 6}), xt::xtensor<float, 2>({8, 1})};
  ctgraph::fit(m, ctgraph::mean_squared_error{}, ctgraph::keras_adam(0.01), data);
}
