// Mistake: fit of a graph of two outputs with one loss (mean_squared_error) instead of one per output.
// expect: ctgraph: fit, evaluate: a graph of two outputs is trained with weighted_sum<wa, loss_a, wb, loss_b>
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
constexpr auto right = ctgraph::named_input<"right", 2>;
constexpr auto g = ctgraph::outputs(ctgraph::dense<1>(ctgraph::concat(left, right)), ctgraph::dense<2>(left));
#ifdef EXPECT_ERROR
using loss = ctgraph::mean_squared_error;
#else
using loss = ctgraph::weighted_sum<0.5, ctgraph::mean_squared_error, 0.5, ctgraph::mean_squared_error>;
#endif

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  ctgraph::multi_dataset<2, 2> data;
  data.x = {ctgraph::named_rows<float>{"left", xt::xtensor<float, 2>({8, 6})},
            ctgraph::named_rows<float>{"right", xt::xtensor<float, 2>({8, 2})}};
  data.y = {xt::xtensor<float, 2>({8, 1}), xt::xtensor<float, 2>({8, 2})};
  ctgraph::fit(m, loss{}, ctgraph::keras_adam(0.01), data);
}
