// golden_feature (SEEDS.md, network 5): one strong feature among 20, found by a
// softmax attention over the inputs.
//   p = softmax(Dense 20 (x))  "attention_vec";  m = x * p;  Dense 100;  Dense 20;  Dense 1, sigmoid
#pragma once

#include <cstdint>

#include <ctgraph/ctgraph.hpp>

namespace golden_feature {

using namespace ctgraph;

inline constexpr std::size_t features = 20;
inline constexpr std::size_t golden_index = 4;  // the tutorial's golden_feature_idx = 5, minus one

inline constexpr auto x = input<features>;
inline constexpr auto attention = dense<features, "attention_vec">(x, activation::softmax);
inline constexpr auto graph = dense<1>(dense<20>(dense<100>(x * attention)), activation::sigmoid);
using graph_type = decltype(graph);

/// The tutorial's training settings.
inline constexpr std::size_t batch = 256;
inline constexpr double learning_rate = 0.003;
inline constexpr std::size_t epochs = 5;
inline constexpr std::size_t samples = 100'000;
inline constexpr double test_fraction = 0.1;

/// The seed's data: labels uniform in {0, 1}, features uniform in [0, 1), the
/// golden column replaced by label + r / 500 (r one draw for the whole column).
inline dataset<float> make_data(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, features}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) d.y(i, 0) = rng.uniform() < 0.5 ? 0.0f : 1.0f;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < features; ++j) d.x(i, j) = float(rng.uniform());
  const double r = rng.uniform();
  for (std::size_t i = 0; i < n; ++i) d.x(i, golden_index) = float(d.y(i, 0) + r / 500.0);
  return d;
}

}  // namespace golden_feature

/// On threads, a step of golden_feature is cut into two grains of 128 rows, not the default four of
/// 64: its products run faster on longer columns, and each thread sums fewer grains' gradients.
/// fit on 2 threads, samples/s (build/benchmarks/ctgraph_peer, 2-core Zen 4): 4.08M with four
/// grains, 4.48M with two, against 2.66M on one thread. It uses 2 threads at most.
template <>
inline constexpr std::size_t ctgraph::grain_rows<std::remove_const_t<golden_feature::graph_type>, golden_feature::batch> =
    128;
