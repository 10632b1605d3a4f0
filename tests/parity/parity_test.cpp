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

namespace {
namespace layers {
using namespace ctgraph;
constexpr auto x6 = input<6>;
constexpr auto activations =
    dense<1>(ctgraph::abs(dense<4>(ctgraph::sqrt(dense<8>(dense<8>(dense<8>(x6, activation::gelu), activation::leaky_relu),
                                                          activation::softplus)))));
using activations_type = std::remove_const_t<decltype(activations)>;
constexpr auto classifier = dense<3>(dense<8>(x6, activation::gelu), activation::softmax);
using classifier_type = std::remove_const_t<decltype(classifier)>;

constexpr auto tokens = input<9>;
constexpr auto convolved = conv1d<6, 3>(conv1d<5, 3, 2, padding::same>(embedding<10, 4>(tokens), activation::tanh),
                                        activation::tanh);
constexpr auto pooled = slice<1, 1, 12>(slice<0, 0, 2>(concat(max_pool1d<2, 1>(convolved), average_pool1d<2, 1>(convolved))));
constexpr auto sequence_layers =
    dense<3>(dropout<0.25>(flatten(layer_norm(pooled)) + constant<0.1>), activation::softmax);
using sequence_layers_type = std::remove_const_t<decltype(sequence_layers)>;

constexpr auto left = named_input<"left", 5, 3>;
constexpr auto right = named_input<"right", 4>;
constexpr auto shared = dense<8>(concat(flatten(left), right), activation::tanh);
constexpr auto two_heads = outputs(dense<1>(shared), dense<3>(concat(shared, right), activation::softmax));
using two_heads_type = std::remove_const_t<decltype(two_heads)>;
}  // namespace layers
}  // namespace

TEST_CASE("parity: gelu, leaky_relu, softplus, sqrt and abs equal PyTorch under huber and mae: loss, gradients, 10 steps") {
  check_case<layers::activations_type, 32, float>("activations_huber", ctgraph::huber<>{}, ctgraph::keras_adam(0.01));
  check_case<layers::activations_type, 32, double>("activations_huber", ctgraph::huber<>{}, ctgraph::keras_adam(0.01));
  check_case<layers::activations_type, 32, float>("activations_mae", ctgraph::mean_absolute_error{}, ctgraph::keras_adam(0.01));
  check_case<layers::activations_type, 32, double>("activations_mae", ctgraph::mean_absolute_error{}, ctgraph::keras_adam(0.01));
}

TEST_CASE("parity: categorical_crossentropy over integer labels equals PyTorch's cross_entropy: loss, gradients, 10 steps") {
  const auto adam = ctgraph::torch_adam(0.01, 0.0);
  check_case<layers::classifier_type, 32, float>("categorical_crossentropy", ctgraph::categorical_crossentropy{}, adam);
  check_case<layers::classifier_type, 32, double>("categorical_crossentropy", ctgraph::categorical_crossentropy{}, adam);
}

TEST_CASE("parity: embedding, conv1d, pooling, concat, slice, layer_norm, flatten, a constant and dropout equal PyTorch") {
  // Dropout's mask is ctgraph's (seed 12345, step by step): parity.py draws the same one.
  const auto adam = ctgraph::torch_adam(0.01, 0.0);
  check_case<layers::sequence_layers_type, 32, float>("sequence_layers", ctgraph::categorical_crossentropy{}, adam);
  check_case<layers::sequence_layers_type, 32, double>("sequence_layers", ctgraph::categorical_crossentropy{}, adam);
}

TEST_CASE("parity: two inputs and a weighted sum of two losses on two outputs equal PyTorch: loss, gradients, 10 steps") {
  const auto run = []<class S>(S) {
    constexpr std::size_t batch = 32;
    ctgraph::model<layers::two_heads_type, batch, S> net(12345);
    const fs::path dir = reference_dir() / (std::string("two_inputs_two_outputs") + (std::is_same_v<S, float> ? "_f32" : "_f64"));
    constexpr double relative = std::is_same_v<S, float> ? 1e-4 : 1e-9;
    ctgraph::load_weights(net, dir / "init.npz");
    const auto batch_file = read_by_name(dir / "batch.npz");
    const auto& x = batch_file.at("x");
    const auto& y = batch_file.at("y");
    const std::size_t rows = x.shape.at(0);
    REQUIRE(x.shape.at(1) == 19);
    REQUIRE(y.shape.at(1) == 2);
    auto in_left = net.template input<"left">();
    auto in_right = net.template input<"right">();
    std::fill(in_left.begin(), in_left.end(), S(0));
    std::fill(in_right.begin(), in_right.end(), S(0));
    std::fill(net.target().begin(), net.target().end(), S(0));
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < 15; ++j) in_left[r * 15 + j] = S(x.values[r * 19 + j]);
      for (std::size_t j = 0; j < 4; ++j) in_right[r * 4 + j] = S(x.values[r * 19 + 15 + j]);
      net.target()[r] = S(y.values[r * 2]);              // the value's targets, then ...
      net.target()[batch + r] = S(y.values[r * 2 + 1]);  // ... the classes, after the batch's rows
    }
    using loss_type = ctgraph::weighted_sum<0.7, ctgraph::mean_squared_error, 0.3, ctgraph::categorical_crossentropy>;
    const double mean_loss = net.compute_gradients(loss_type{}, rows) / double(rows);
    const double want_loss = read_by_name(dir / "loss.npz").at("loss").values.at(0);
    INFO("two heads loss: ctgraph ", mean_loss, ", PyTorch ", want_loss);
    CHECK(std::abs(mean_loss - want_loss) <= relative * std::abs(want_loss));
    check_gradients(net, dir / "grad.npz", relative);
    for (int step = 0; step < 10; ++step) net.train_step(loss_type{}, ctgraph::keras_adam(0.01), rows);
    check_parameters("after 10 steps:", net, dir / "after.npz", relative);
  };
  run(float{});
  run(double{});
}
