// The same network in PyTorch and in ctgraph, from the same initial weights on the
// same batch: equal loss, equal gradient of every parameter, equal parameters after
// 10 optimizer steps; and weights trained by ctgraph predict the same in PyTorch.
// The PyTorch side is parity.py (see README.md beside this file for the protocol).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include <unistd.h>

#include <doctest/doctest.h>

#include "parity/parity_common.hpp"

#include "attention_column/attention_column.hpp"
#include "digits_attention/digits_attention.hpp"
#include "fib_rnn_attention/fib_rnn_attention.hpp"
#include "golden_feature/golden_feature.hpp"
#include "iris_qkv/iris_qkv.hpp"

using namespace parity;

namespace {

namespace gf = golden_feature;
namespace ac = attention_column;
namespace da = digits_attention;
namespace fib = fib_rnn_attention;
namespace iq = iris_qkv;

iq::split iris(std::uint64_t seed) {
  return iq::split_data(
      ctgraph::read_csv<float>(source / "data" / "iris.csv",
                               {.inputs = 4, .targets = 1, .class_names = {"setosa", "versicolor", "virginica"}}),
      seed);
}

}  // namespace

TEST_CASE("parity: golden_feature equals PyTorch: loss, gradients, 10 Keras-Adam steps, on a partial batch") {
  check_case<gf::graph_type, gf::batch, float>("golden_feature", ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003));
  check_case<gf::graph_type, gf::batch, double>("golden_feature", ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003));
}

TEST_CASE("parity: attention_column equals PyTorch: loss, gradients, 10 Keras-Adam steps, on a partial batch") {
  check_case<ac::graph_type, ac::batch, float>("attention_column", ctgraph::binary_crossentropy{}, ctgraph::keras_adam());
  check_case<ac::graph_type, ac::batch, double>("attention_column", ctgraph::binary_crossentropy{}, ctgraph::keras_adam());
}

TEST_CASE("parity: digits_attention equals PyTorch: loss, gradients, 10 Keras-Adam steps, on a partial batch") {
  check_case<da::graph_type, da::batch, float>("digits_attention", ctgraph::mean_squared_error{}, ctgraph::keras_adam());
  check_case<da::graph_type, da::batch, double>("digits_attention", ctgraph::mean_squared_error{}, ctgraph::keras_adam());
}

TEST_CASE("parity: the fib SimpleRNN and its attention net equal PyTorch: loss, gradients, 10 Keras-Adam steps") {
  check_case<fib::baseline_type, fib::batch, float>("fib_rnn", ctgraph::mean_squared_error{}, ctgraph::keras_adam());
  check_case<fib::baseline_type, fib::batch, double>("fib_rnn", ctgraph::mean_squared_error{}, ctgraph::keras_adam());
  check_case<fib::attention_type, fib::batch, float>("fib_rnn_attention", ctgraph::mean_squared_error{},
                                                      ctgraph::keras_adam());
  check_case<fib::attention_type, fib::batch, double>("fib_rnn_attention", ctgraph::mean_squared_error{},
                                                       ctgraph::keras_adam());
}

TEST_CASE("parity: both iris nets equal PyTorch: loss, gradients, 10 torch.optim.Adam steps with weight decay") {
  const auto adam = ctgraph::torch_adam(iq::learning_rate, iq::weight_decay);
  check_case<iq::attention_type, iq::batch, float>("iris_attention", ctgraph::softmax_cross_entropy{}, adam);
  check_case<iq::attention_type, iq::batch, double>("iris_attention", ctgraph::softmax_cross_entropy{}, adam);
  check_case<iq::baseline_type, iq::batch, float>("iris_linear", ctgraph::softmax_cross_entropy{}, adam);
  check_case<iq::baseline_type, iq::batch, double>("iris_linear", ctgraph::softmax_cross_entropy{}, adam);
}

TEST_CASE("parity: weights trained by ctgraph predict the same in PyTorch on held-out data") {
  {
    const auto all = gf::make_data(6'000, 1);
    check_predictions<gf::graph_type, gf::batch>("golden_feature", ctgraph::binary_crossentropy{},
                                                 ctgraph::keras_adam(0.003), ctgraph::rows(all, 0, 5'000),
                                                 ctgraph::rows(all, 5'000, 6'000), 1);
  }
  {
    const auto all = ac::make_data(2'000, 1);
    check_predictions<ac::graph_type, ac::batch>("attention_column", ctgraph::binary_crossentropy{}, ctgraph::keras_adam(),
                                                 ctgraph::rows(all, 0, 1'000), ctgraph::rows(all, 1'000, 2'000), 2);
  }
  check_predictions<da::graph_type, da::batch>("digits_attention", ctgraph::mean_squared_error{}, ctgraph::keras_adam(),
                                               da::make_data(5'000, 1), da::make_data(1'000, 2), 1);
  const auto [fib_train, fib_test] = fib::make_split(1);
  check_predictions<fib::baseline_type, fib::batch>("fib_rnn", ctgraph::mean_squared_error{}, ctgraph::keras_adam(),
                                                    fib_train, fib_test, 2);
  check_predictions<fib::attention_type, fib::batch>("fib_rnn_attention", ctgraph::mean_squared_error{},
                                                     ctgraph::keras_adam(), fib_train, fib_test, 2);
  const auto data = iris(1);
  const auto adam = ctgraph::torch_adam(iq::learning_rate, iq::weight_decay);
  check_predictions<iq::attention_type, iq::batch>("iris_attention", ctgraph::softmax_cross_entropy{}, adam, data.train,
                                                   data.test, 200);
  check_predictions<iq::baseline_type, iq::batch>("iris_linear", ctgraph::softmax_cross_entropy{}, adam, data.train,
                                                  data.test, 200);
}
