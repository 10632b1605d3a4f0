// iris_qkv's training of one net, shared by the program's translation units: the two nets in one
// file took 21 s to compile, so each is instantiated in a file of its own (attention_net.cpp,
// baseline_net.cpp) and main.cpp only calls them.
#pragma once

#include "common/program.hpp"
#include "iris_qkv/iris_qkv.hpp"

namespace iq = iris_qkv;

struct outcome {
  std::vector<ctgraph::epoch_stats> history;
  ctgraph::evaluation train, validation, test;
  std::vector<double> attention;  // atten_1's mean softmax weights over the test set (attention net only)
};

template <class Graph>
outcome train(const iq::split& data, std::size_t epochs, const program::common_options& common, const char* name) {
  using model_type = ctgraph::model<Graph, iq::batch>;
  ctgraph::summary<model_type>(std::cout, name);
  model_type net(common.seed);
  program::load_if_asked(net, common);
  outcome o;
  // Full batch: one step per epoch, so the progress line per epoch would be 1000 lines.
  o.history = program::fit(net, common, ctgraph::softmax_cross_entropy{},
                           ctgraph::torch_adam(iq::learning_rate, iq::weight_decay), data.train,
                           {.epochs = epochs, .shuffle = !common.no_shuffle, .seed = common.seed + 1},
                           ctgraph::categorical_accuracy{});
  program::save_if_asked(net, common);
  const auto& last = o.history.back();
  std::printf("%zu epochs in %.2f s: training loss %.4f, accuracy %.4f\n\n", epochs, program::seconds(o.history),
              last.loss, last.accuracy);
  const ctgraph::softmax_cross_entropy loss;
  o.train = ctgraph::evaluate(net, loss, data.train, ctgraph::categorical_accuracy{});
  o.validation = ctgraph::evaluate(net, loss, data.validation, ctgraph::categorical_accuracy{});
  o.test = ctgraph::evaluate(net, loss, data.test, ctgraph::categorical_accuracy{});
  if constexpr (std::is_same_v<Graph, iq::attention_type>)
    o.attention = ctgraph::mean_probe<"atten_1.att">(net, data.test.x);
  return o;
}

// Instantiated in attention_net.cpp and baseline_net.cpp, not where they are called.
#define IRIS_QKV_TRAIN(Graph) \
  template outcome train<Graph>(const iq::split&, std::size_t, const program::common_options&, const char*)
extern IRIS_QKV_TRAIN(iq::attention_type);
extern IRIS_QKV_TRAIN(iq::baseline_type);
