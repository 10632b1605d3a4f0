// attention_column (SEEDS.md, network 4): the label is copied into input column 1;
// a softmax attention over the 32 inputs should find it.
//   p = softmax(Dense 32 (x)) "attention_vec";  m = x * p;  Dense 64;  Dense 1, sigmoid
#pragma once

#include <cstdint>

#include <ctgraph/ctgraph.hpp>

namespace attention_column {

using namespace ctgraph;

inline constexpr std::size_t features = 32;
inline constexpr std::size_t label_column = 1;

inline constexpr auto x = input<features>;
inline constexpr auto attention = dense<features, "attention_vec">(x, activation::softmax);
inline constexpr auto graph = dense<1>(dense<64>(x * attention), activation::sigmoid);
using graph_type = decltype(graph);

/// The tutorial's settings: batch 64, 20 epochs, Adam (Keras defaults), the second half held out.
inline constexpr std::size_t batch = 64;
inline constexpr std::size_t epochs = 20;
inline constexpr std::size_t samples = 10'000;

/// x ~ N(0, 1), y uniform in {0, 1}, and column 1 of x replaced by y.
inline dataset<float> make_data(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, features}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < features; ++j) d.x(i, j) = float(rng.normal());
    d.y(i, 0) = rng.uniform() < 0.5 ? 0.0f : 1.0f;
    d.x(i, label_column) = d.y(i, 0);
  }
  return d;
}

}  // namespace attention_column
