// The seven networks the benchmarks measure, each with the tutorial's batch, loss,
// optimizer and training data, in one place for ctgraph_peer and ctgraph_bench.
#pragma once

#include <string_view>

#include "attention_column/attention_column.hpp"
#include "digits_attention/digits_attention.hpp"
#include "fib_rnn_attention/fib_rnn_attention.hpp"
#include "golden_feature/golden_feature.hpp"
#include "iris_qkv/iris_qkv.hpp"

namespace bench {

template <class Graph, std::size_t Batch, class Loss, class Metric = ctgraph::no_metric>
struct network {
  using graph = Graph;
  using loss = Loss;
  using model = ctgraph::model<Graph, Batch>;
  static constexpr std::size_t batch = Batch;
};

struct golden_feature : network<::golden_feature::graph_type, ::golden_feature::batch, ctgraph::binary_crossentropy> {
  static constexpr std::string_view name = "golden_feature";
  static constexpr auto optimizer = ctgraph::keras_adam(::golden_feature::learning_rate);
  static ctgraph::dataset<float> data() { return ctgraph::rows(::golden_feature::make_data(100'000, 1), 0, 90'000); }
};
struct attention_column : network<::attention_column::graph_type, ::attention_column::batch, ctgraph::binary_crossentropy> {
  static constexpr std::string_view name = "attention_column";
  static constexpr auto optimizer = ctgraph::keras_adam();
  static ctgraph::dataset<float> data() { return ctgraph::rows(::attention_column::make_data(10'000, 1), 0, 5'000); }
};
struct digits_attention : network<::digits_attention::graph_type, ::digits_attention::batch, ctgraph::mean_squared_error> {
  static constexpr std::string_view name = "digits_attention";
  static constexpr auto optimizer = ctgraph::keras_adam();
  static ctgraph::dataset<float> data() { return ::digits_attention::make_data(::digits_attention::samples, 1); }
};
struct fib_rnn : network<::fib_rnn_attention::baseline_type, ::fib_rnn_attention::batch, ctgraph::mean_squared_error> {
  static constexpr std::string_view name = "fib_rnn";
  static constexpr auto optimizer = ctgraph::keras_adam();
  static ctgraph::dataset<float> data() { return ::fib_rnn_attention::make_split(1).first; }
};
struct fib_rnn_attention : network<::fib_rnn_attention::attention_type, ::fib_rnn_attention::batch, ctgraph::mean_squared_error> {
  static constexpr std::string_view name = "fib_rnn_attention";
  static constexpr auto optimizer = ctgraph::keras_adam();
  static ctgraph::dataset<float> data() { return ::fib_rnn_attention::make_split(1).first; }
};
inline ctgraph::dataset<float> iris_train() {
  const auto all = ctgraph::read_csv<float>(std::filesystem::path(CTGRAPH_SOURCE_DIR) / "data" / "iris.csv",
                                            {.inputs = 4, .targets = 1, .class_names = {"setosa", "versicolor", "virginica"}});
  return ::iris_qkv::split_data(all, 1).train;
}
struct iris_attention : network<::iris_qkv::attention_type, ::iris_qkv::batch, ctgraph::softmax_cross_entropy> {
  static constexpr std::string_view name = "iris_attention";
  static constexpr auto optimizer = ctgraph::torch_adam(::iris_qkv::learning_rate, ::iris_qkv::weight_decay);
  static ctgraph::dataset<float> data() { return iris_train(); }
};
struct iris_linear : network<::iris_qkv::baseline_type, ::iris_qkv::batch, ctgraph::softmax_cross_entropy> {
  static constexpr std::string_view name = "iris_linear";
  static constexpr auto optimizer = ctgraph::torch_adam(::iris_qkv::learning_rate, ::iris_qkv::weight_decay);
  static ctgraph::dataset<float> data() { return iris_train(); }
};

/// Calls f.template operator()<N>() for every network.
template <class F>
void for_each_network(F&& f) {
  f.template operator()<golden_feature>();
  f.template operator()<attention_column>();
  f.template operator()<digits_attention>();
  f.template operator()<fib_rnn>();
  f.template operator()<fib_rnn_attention>();
  f.template operator()<iris_attention>();
  f.template operator()<iris_linear>();
}

}  // namespace bench
