// The text classifier's network and data, in a header of their own so that the speed
// comparison (benchmarks/graphs.hpp) trains the very network main.cpp does.
// Sentences of 24 token ids (generated), three classes, each told by the phrases of two words
// it contains. Embedding, a 1-D convolution over word pairs, global max pooling, dense.
#pragma once

#include <array>

#include <ctgraph/ctgraph.hpp>

namespace text_classifier {

using namespace ctgraph;

constexpr std::size_t vocab = 40, length = 24, classes = 3, batch = 64;
constexpr double learning_rate = 0.003;
constexpr std::size_t train_samples = 6'000, test_samples = 2'000;

// --8<-- [start:graph]
constexpr auto tokens = input<length>;  // token ids, as numbers
constexpr auto graph = dense<classes>(
    dense<32>(global_max_pool1d(conv1d<32, 2>(embedding<vocab, 16>(tokens), activation::relu)), activation::relu),
    activation::softmax);
using classifier = model<decltype(graph), batch>;
// --8<-- [end:graph]

/// Each class is told by two phrases (first, second); filler words are ids 6 and up.
constexpr std::array<std::array<std::array<int, 2>, 2>, classes> phrases{{
    {{{0, 1}, {2, 3}}},  // class 0: "0 1" or "2 3"
    {{{1, 0}, {3, 4}}},  // class 1: the same words in the other order, and "3 4"
    {{{4, 5}, {5, 2}}},  // class 2
}};

inline dataset<float> sentences(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, length}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t label = rng.below(classes);
    for (std::size_t t = 0; t < length; ++t) d.x(i, t) = float(6 + rng.below(vocab - 6));
    // Words of the other classes, alone (never two of them side by side) ...
    for (int k = 0; k < 3; ++k) d.x(i, 3 * rng.below(length / 3)) = float(rng.below(6));
    // ... and one phrase of its own class.
    const auto& phrase = phrases[label][rng.below(2)];
    const std::size_t at = 1 + 3 * rng.below(length / 3 - 1);
    d.x(i, at) = float(phrase[0]);
    d.x(i, at + 1) = float(phrase[1]);
    d.y(i, 0) = float(label);
  }
  return d;
}

}  // namespace text_classifier
