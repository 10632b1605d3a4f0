#include <doctest/doctest.h>

#include "attention_column/attention_column.hpp"

namespace ac = attention_column;

static_assert(ctgraph::model<ac::graph_type, ac::batch>::parameter_count == 3'233, "1,056 + 2,112 + 65");

TEST_CASE("attention_column: validation accuracy reaches 0.99 and the attention peaks at column 1") {
  const auto all = ac::make_data(ac::samples, 1);
  const auto train = ctgraph::rows(all, 0, ac::samples / 2);
  const auto validation = ctgraph::rows(all, ac::samples / 2, ac::samples);
  ctgraph::model<ac::graph_type, ac::batch> net(1);
  ctgraph::fit(net, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(), train, {.epochs = ac::epochs, .seed = 2});
  const auto result = ctgraph::evaluate(net, ctgraph::binary_crossentropy{}, validation, ctgraph::binary_accuracy{});
  CHECK(result.accuracy >= 0.99);

  const auto fresh = ac::make_data(1, 99);
  const auto attention = ctgraph::mean_probe<"attention_vec">(net, fresh.x);
  const auto peak = std::size_t(std::max_element(attention.begin(), attention.end()) - attention.begin());
  CHECK(peak == ac::label_column);
}
