// iris_qkv (SEEDS.md, network 3): Iris with element-wise query/key/value attention.
//   Atten(in -> out): k, q, v = Linear(x) each; att = softmax((k * q) / sqrt(out)); y = relu(att * v)
//   attention net: Atten(4 -> 10), Atten(10 -> 20), Linear(20 -> 3), sigmoid      873 parameters
//   linear baseline: Linear 4->10, relu, Linear 10->20, relu, Linear 20->3, sigmoid  333 parameters
// Loss: softmax cross-entropy taken over the sigmoid outputs (PyTorch's CrossEntropyLoss on them).
#pragma once

#include <cstdint>
#include <numeric>

#include <ctgraph/ctgraph.hpp>

namespace iris_qkv {

using namespace ctgraph;

inline constexpr std::size_t features = 4, classes = 3;

struct atten_kind {
  static constexpr std::string_view type_name = "Atten", prefix = "atten";
};

/// The tutorial's attention layer, written as a user's layer function from primitives.
/// Its softmax weights are the layer "<Name>.att" (probe<"atten_1.att">).
template <std::size_t Out, fixed_string Name, node X>
constexpr auto atten(X x) {
  constexpr auto k = dense<Out, concat<Name, ".k">()>(x, activation::linear, torch_init{});
  constexpr auto q = dense<Out, concat<Name, ".q">()>(x, activation::linear, torch_init{});
  constexpr auto v = dense<Out, concat<Name, ".v">()>(x, activation::linear, torch_init{});
  constexpr auto att = named_layer<concat<Name, ".att">(), atten_kind>(softmax(scale<1.0 / constexpr_sqrt(Out)>(k * q)));
  return relu(att * v);
}

inline constexpr auto x = input<features>;
inline constexpr auto with_attention =
    dense<classes, "linear">(atten<20, "atten_2">(atten<10, "atten_1">(x)), activation::sigmoid, torch_init{});
inline constexpr auto baseline = dense<classes, "layer_3">(
    dense<20, "layer_2">(dense<10, "layer_1">(x, activation::relu, torch_init{}), activation::relu, torch_init{}),
    activation::sigmoid, torch_init{});
using attention_type = decltype(with_attention);
using baseline_type = decltype(baseline);

/// The tutorial's settings: full batch (the 120 training samples), 1000 epochs,
/// Adam (PyTorch's form) lr 0.005 with L2 weight decay 1e-3.
inline constexpr std::size_t train_size = 120, validation_size = 15, test_size = 15;
inline constexpr std::size_t batch = train_size;
inline constexpr std::size_t epochs = 1000;
inline constexpr double learning_rate = 0.005, weight_decay = 1e-3;

struct split {
  dataset<float> train, validation, test;
};

/// Shuffles the 150 rows with `seed` and splits them 80/10/10.
inline split split_data(const dataset<float>& all, std::uint64_t seed) {
  const auto in_order = shuffled(all, seed);
  const std::size_t n = all.size(), train = n * 8 / 10, validation = n / 10;
  return {rows(in_order, 0, train), rows(in_order, train, train + validation), rows(in_order, train + validation, n)};
}

}  // namespace iris_qkv
