// Mistake: fit with binary_crossentropy on a graph whose output is a linear dense, not a sigmoid. The check
// is made as fit's data is passed, not inside fit (where compute_gradients would make it, naming the model).
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
  const ctgraph::dataset<float> data{xt::xtensor<float, 2>({8, 20}), xt::xtensor<float, 2>({8, 1})};
  const auto history = ctgraph::fit(m, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003), data);
  return history.empty() ? 1 : 0;
}
