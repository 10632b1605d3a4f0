// Mistake: fit on a graph of two inputs with a multi_dataset of one input array.
// expect: ctgraph: multi_dataset<inputs, targets>: the number of input arrays must be the graph's number of inputs
#include <ctgraph/ctgraph.hpp>

#include <type_traits>

constexpr auto left = ctgraph::named_input<"left", 6>;
constexpr auto right = ctgraph::named_input<"right", 2>;
constexpr auto g = ctgraph::outputs(ctgraph::dense<1>(ctgraph::concat(left, right)),
                                    ctgraph::dense<2>(left, ctgraph::activation::softmax));
using loss = ctgraph::weighted_sum<0.5, ctgraph::mean_squared_error, 0.5, ctgraph::categorical_crossentropy>;

int main() {
  ctgraph::model<std::remove_const_t<decltype(g)>, 4> m;
#ifdef EXPECT_ERROR
  ctgraph::multi_dataset<1, 2> data;
  data.x = {ctgraph::named_rows<float>{"left", xt::xtensor<float, 2>({8, 6})}};
#else
  ctgraph::multi_dataset<2, 2> data;
  data.x = {ctgraph::named_rows<float>{"left", xt::xtensor<float, 2>({8, 6})},
            ctgraph::named_rows<float>{"right", xt::xtensor<float, 2>({8, 2})}};
#endif
  data.y = {xt::xtensor<float, 2>({8, 1}), xt::xtensor<float, 2>({8, 1})};
  ctgraph::fit(m, loss{}, ctgraph::keras_adam(0.01), data);
}
