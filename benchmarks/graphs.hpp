// The networks the benchmarks measure, each with its batch, loss, optimizer and training
// data, in one place for ctgraph_peer and ctgraph_bench: the seven tutorial networks, the two
// examples of issue 12 and the four recurrent nets of issue 9.
#pragma once

#include <cmath>
#include <string_view>
#include <tuple>
#include <utility>

#include "attention_column/attention_column.hpp"
#include "digits_attention/digits_attention.hpp"
#include "fib_rnn_attention/fib_rnn_attention.hpp"
#include "golden_feature/golden_feature.hpp"
#include "iris_qkv/iris_qkv.hpp"
#include "normalized_regression/normalized_regression.hpp"
#include "text_classifier/text_classifier.hpp"

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

struct text_classifier : network<decltype(::text_classifier::graph), ::text_classifier::batch, ctgraph::categorical_crossentropy> {
  static constexpr std::string_view name = "text_classifier";
  static constexpr auto optimizer = ctgraph::keras_adam(::text_classifier::learning_rate);
  static ctgraph::dataset<float> data() { return ::text_classifier::sentences(::text_classifier::train_samples, 1); }
};
struct normalized_regression
    : network<decltype(::normalized_regression::graph), ::normalized_regression::batch, ctgraph::mean_squared_error> {
  static constexpr std::string_view name = "normalized_regression";
  static constexpr auto optimizer = ctgraph::keras_adam(::normalized_regression::learning_rate);
  static ctgraph::dataset<float> data() { return ::normalized_regression::samples(::normalized_regression::train_samples, 1); }
};

// The recurrent nets of issue 9: one feature per step, GRU or LSTM (Keras' defaults), the last
// state -> Dense 1, MSE, Keras Adam. The data: windows of T steps of a sum of two sines, each
// window's target the next value; window i starts at step 3 i.
inline ctgraph::dataset<float> sine_windows(std::size_t n, std::size_t steps) {
  const auto signal = [](std::size_t t) { return float(std::sin(0.07 * double(t)) + 0.5 * std::sin(0.23 * double(t))); };
  ctgraph::dataset<float> d{xt::xtensor<float, 2>({n, steps}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < steps; ++t) d.x(i, t) = signal(3 * i + t);
    d.y(i, 0) = signal(3 * i + steps);
  }
  return d;
}
template <class Cell, std::size_t Steps>
using recurrent_graph = std::remove_const_t<decltype(ctgraph::dense<1>(Cell{}(ctgraph::input<Steps, 1>)))>;
template <std::size_t Units>
struct gru_cell {
  template <class X>
  constexpr auto operator()(X x) const { return ctgraph::gru<Units>(x); }
};
template <std::size_t Units>
struct lstm_cell {
  template <class X>
  constexpr auto operator()(X x) const { return ctgraph::lstm<Units>(x); }
};
template <class Cell, std::size_t Steps, std::size_t Batch, std::size_t Samples>
struct recurrent : network<recurrent_graph<Cell, Steps>, Batch, ctgraph::mean_squared_error> {
  static constexpr auto optimizer = ctgraph::keras_adam();
  static ctgraph::dataset<float> data() { return sine_windows(Samples, Steps); }
};
// Batch 1: 1,000 windows (PyTorch takes about 3 s an epoch); batch 32: 8,000.
struct gru_16_t20 : recurrent<gru_cell<16>, 20, 1, 1'000> {
  static constexpr std::string_view name = "gru_16_t20";
};
struct lstm_16_t20 : recurrent<lstm_cell<16>, 20, 1, 1'000> {
  static constexpr std::string_view name = "lstm_16_t20";
};
struct gru_32_t50 : recurrent<gru_cell<32>, 50, 32, 8'000> {
  static constexpr std::string_view name = "gru_32_t50";
};
struct lstm_32_t50 : recurrent<lstm_cell<32>, 50, 32, 8'000> {
  static constexpr std::string_view name = "lstm_32_t50";
};

/// Every network, in the order the benchmarks list them.
using networks = std::tuple<golden_feature, attention_column, digits_attention, fib_rnn, fib_rnn_attention,
                            iris_attention, iris_linear, text_classifier, normalized_regression, gru_16_t20,
                            lstm_16_t20, gru_32_t50, lstm_32_t50>;

/// Calls f.template operator()<N>() for the networks [First, Last) of `networks` (all by default).
template <std::size_t First = 0, std::size_t Last = std::tuple_size_v<networks>, class F>
void for_each_network(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<std::tuple_element_t<First + I, networks>>(), ...);
  }(std::make_index_sequence<Last - First>{});
}

}  // namespace bench
