// digits_attention (SEEDS.md, network 1): |abc - def| from six digits, through an
// attention MLP whose attention is a relu layer over the inputs.
//   a = relu(Dense 6 (x)) "dense_1";  m = x * a;  relu(Dense 6);  relu(Dense 3);  Dense 1
#pragma once

#include <cstdint>

#include <ctgraph/ctgraph.hpp>

namespace digits_attention {

using namespace ctgraph;

inline constexpr std::size_t digits = 6;

inline constexpr auto x = input<digits>;
inline constexpr auto attention = dense<digits>(x, activation::relu);  // dense_1
inline constexpr auto graph =
    dense<1>(dense<3>(dense<digits>(x * attention, activation::relu), activation::relu));
using graph_type = decltype(graph);

/// The tutorial's training settings (Keras defaults: batch 32, Adam lr 0.001).
inline constexpr std::size_t batch = 32;
inline constexpr std::size_t epochs = 50;
inline constexpr std::size_t samples = 300'000;
/// The tutorial trains on everything; we measure on a fresh set from the same generator.
inline constexpr std::size_t test_samples = 30'000;

/// Six digits uniform in 0..9 (divided by 10), label |d0 d1 d2 - d3 d4 d5| / 1000.
inline dataset<float> make_data(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, digits}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    int value[2] = {0, 0};
    for (std::size_t j = 0; j < digits; ++j) {
      const int digit = int(rng.below(10));
      value[j / 3] = value[j / 3] * 10 + digit;
      d.x(i, j) = float(digit) / 10.0f;
    }
    d.y(i, 0) = float(std::abs(value[0] - value[1])) / 1000.0f;
  }
  return d;
}

}  // namespace digits_attention
