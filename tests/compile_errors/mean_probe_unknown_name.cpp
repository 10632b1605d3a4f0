// Mistake: averaging over a data set the values of a layer by a name that no layer of the graph has.
// expect: no layer of this graph has that name
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto x = ctgraph::input<20>;
constexpr auto g = ctgraph::dense<1>(ctgraph::dense<8, "hidden">(x, ctgraph::activation::relu));

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  const xt::xtensor<float, 2> data = xt::zeros<float>({6, 20});
#ifdef EXPECT_ERROR
  const auto mean = ctgraph::mean_probe<"no_such_layer">(m, data);
#else
  const auto mean = ctgraph::mean_probe<"hidden">(m, data);
#endif
  return mean.empty() ? 1 : 0;
}
