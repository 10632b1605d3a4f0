// Mistake: a weighted_sum whose second loss, categorical_crossentropy, is given an output that does not
// end in a softmax. weighted_sum's check makes each loss's own check on its output.
// expect: ctgraph: categorical_crossentropy: the graph must end in a softmax over a vector of classes
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
constexpr auto right = ctgraph::named_input<"right", 2>;
#ifdef EXPECT_ERROR
constexpr auto kind = ctgraph::dense<3>(left);
#else
constexpr auto kind = ctgraph::dense<3>(left, ctgraph::activation::softmax);
#endif
constexpr auto g = ctgraph::outputs(ctgraph::dense<1>(ctgraph::concat(left, right)), kind);
using loss = ctgraph::weighted_sum<0.5, ctgraph::mean_squared_error, 0.5, ctgraph::categorical_crossentropy>;

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
  ctgraph::multi_dataset<2, 2> data;
  data.x = {ctgraph::named_rows<float>{"left", xt::xtensor<float, 2>({8, 6})},
            ctgraph::named_rows<float>{"right", xt::xtensor<float, 2>({8, 2})}};
  data.y = {xt::xtensor<float, 2>({8, 1}), xt::xtensor<float, 2>({8, 1})};
  ctgraph::fit(m, loss{}, ctgraph::keras_adam(0.01), data);
}
