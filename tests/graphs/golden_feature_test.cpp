#include <algorithm>

#include <doctest/doctest.h>

#include "golden_feature/golden_feature.hpp"

namespace gf = golden_feature;

static_assert(ctgraph::model<gf::graph_type, gf::batch>::parameter_count == 4'561,
              "golden_feature has Keras' 4,561 parameters (420 + 2,100 + 2,020 + 21)");

TEST_CASE("golden_feature: two epochs reach test accuracy 0.99 and the attention peaks at the golden feature") {
  const std::size_t samples = gf::samples, train_size = samples - samples / 10;
  const auto all = gf::make_data(samples, 1);
  const auto train = ctgraph::rows(all, 0, train_size);
  const auto test = ctgraph::rows(all, train_size, samples);
  ctgraph::model<gf::graph_type, gf::batch> net(1);
  ctgraph::fit(net, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(gf::learning_rate), train,
               {.epochs = 2, .seed = 2}, ctgraph::binary_accuracy{});
  const auto result = ctgraph::evaluate(net, ctgraph::binary_crossentropy{}, test, ctgraph::binary_accuracy{});
  CHECK(result.accuracy >= 0.99);

  const auto attention = ctgraph::mean_probe<"attention_vec">(net, test.x);
  REQUIRE(attention.size() == gf::features);
  const auto peak = std::size_t(std::max_element(attention.begin(), attention.end()) - attention.begin());
  CHECK(peak == gf::golden_index);
  INFO("golden attention ", attention[gf::golden_index]);
  CHECK(attention[gf::golden_index] > 0.3);  // the tutorial: about 0.5, as much as all others together
}
