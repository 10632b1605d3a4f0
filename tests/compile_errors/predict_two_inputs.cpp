// Mistake: predict of a graph of two named inputs on one array of rows instead of one array per input.
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
  const xt::xtensor<float, 2> rows = xt::zeros<float>({8, 6});
  const auto out = ctgraph::predict(m, rows);
  return out.size() == 8 ? 0 : 1;
}
