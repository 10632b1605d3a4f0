// fib_rnn_attention's training of one net, shared by the program's translation units: the six
// nets compiled in one took over 15 s, so the GRU and LSTM nets are instantiated in files of
// their own (gru_nets.cpp, lstm_nets.cpp) and main.cpp only calls them.
#pragma once

#include "common/program.hpp"
#include "fib_rnn_attention/fib_rnn_attention.hpp"

namespace fib = fib_rnn_attention;

struct outcome {
  std::vector<ctgraph::epoch_stats> history;
  double train_mse = 0, test_mse = 0;
  std::vector<double> attention;  // mean weight per step over the test set (attention net only)
};

template <class Graph, bool Attention>
outcome train(const ctgraph::dataset<float>& train_set, const ctgraph::dataset<float>& test_set, std::size_t epochs,
              const program::common_options& common, const char* name) {
  using model_type = ctgraph::model<Graph, fib::batch>;
  ctgraph::summary<model_type>(std::cout, name);
  model_type net(common.seed);
  program::load_if_asked(net, common);
  outcome o;
  o.history = program::fit(net, common, ctgraph::mean_squared_error{}, ctgraph::keras_adam(), train_set,
                           {.epochs = epochs, .shuffle = !common.no_shuffle, .seed = common.seed + 1},
                           ctgraph::no_metric{}, ctgraph::console_progress(epochs));
  program::save_if_asked(net, common);
  o.train_mse = ctgraph::evaluate(net, ctgraph::mean_squared_error{}, train_set).loss;
  o.test_mse = ctgraph::evaluate(net, ctgraph::mean_squared_error{}, test_set).loss;
  if constexpr (Attention)
    o.attention = ctgraph::mean_probe<"attention">(net, test_set.x);
  return o;
}

// Instantiated in gru_nets.cpp and lstm_nets.cpp, not where they are called.
#define FIB_RNN_ATTENTION_TRAIN(Graph, Attention)                                                             \
  template outcome train<Graph, Attention>(const ctgraph::dataset<float>&, const ctgraph::dataset<float>&, \
                                           std::size_t, const program::common_options&, const char*)
extern FIB_RNN_ATTENTION_TRAIN(fib::gru_baseline_type, false);
extern FIB_RNN_ATTENTION_TRAIN(fib::gru_attention_type, true);
extern FIB_RNN_ATTENTION_TRAIN(fib::lstm_baseline_type, false);
extern FIB_RNN_ATTENTION_TRAIN(fib::lstm_attention_type, true);
