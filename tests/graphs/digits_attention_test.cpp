#include <doctest/doctest.h>

#include "digits_attention/digits_attention.hpp"

namespace da = digits_attention;

static_assert(ctgraph::model<da::graph_type, da::batch>::parameter_count == 109,
              "digits_attention has Keras' 109 parameters (42 + 42 + 21 + 4)");

TEST_CASE("digits_attention: a shortened run predicts |abc - def| with test MSE below a tenth of the label's variance") {
  const auto train = da::make_data(40'000, 1);
  const auto test = da::make_data(5'000, 2);
  ctgraph::model<da::graph_type, da::batch> net(1);
  ctgraph::fit(net, ctgraph::mean_squared_error{}, ctgraph::keras_adam(), train, {.epochs = 4, .seed = 3});
  const double mse = ctgraph::evaluate(net, ctgraph::mean_squared_error{}, test).loss;
  double mean = 0, variance = 0;
  for (float y : test.y) mean += y;
  mean /= double(test.size());
  for (float y : test.y) variance += (y - mean) * (y - mean);
  variance /= double(test.size());
  INFO("test MSE ", mse, ", label variance ", variance);
  CHECK(mse < 0.1 * variance);
}
