// Mistake: evaluate of a graph of two outputs on a multi_dataset of one array of targets.
// expect: ctgraph: multi_dataset<inputs, targets>: the number of target arrays must be the graph's number of outputs
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
constexpr auto right = ctgraph::named_input<"right", 2>;
constexpr auto g = ctgraph::outputs(ctgraph::dense<1>(ctgraph::concat(left, right)), ctgraph::dense<2>(left));
using loss = ctgraph::weighted_sum<0.5, ctgraph::mean_squared_error, 0.5, ctgraph::mean_squared_error>;

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
#ifdef EXPECT_ERROR
  ctgraph::multi_dataset<2, 1> data;
  data.y = {xt::xtensor<float, 2>({8, 1})};
#else
  ctgraph::multi_dataset<2, 2> data;
  data.y = {xt::xtensor<float, 2>({8, 1}), xt::xtensor<float, 2>({8, 2})};
#endif
  data.x = {ctgraph::named_rows<float>{"left", xt::xtensor<float, 2>({8, 6})},
            ctgraph::named_rows<float>{"right", xt::xtensor<float, 2>({8, 2})}};
  return ctgraph::evaluate(m, loss{}, data).loss >= 0 ? 0 : 1;
}
