// A text classifier: sentences of 24 token ids (generated), three classes, each told by the
// phrases of two words it contains. Embedding, a 1-D convolution over word pairs, global max
// pooling, dense. A single word says nothing (every class's words appear in every class, in
// the other order), so the classifier must see which word comes first: the convolution does.
// Exits 0 when the test accuracy reaches the threshold, 1 when it does not.
#include <array>
#include <chrono>
#include <cstdio>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

constexpr std::size_t vocab = 40, length = 24, classes = 3;

// --8<-- [start:graph]
constexpr auto tokens = input<length>;  // token ids, as numbers
constexpr auto graph = dense<classes>(
    dense<32>(global_max_pool1d(conv1d<32, 2>(embedding<vocab, 16>(tokens), activation::relu)), activation::relu),
    activation::softmax);
using classifier = model<decltype(graph), 64>;
// --8<-- [end:graph]

/// Each class is told by two phrases (first, second); filler words are ids 6 and up.
constexpr std::array<std::array<std::array<int, 2>, 2>, classes> phrases{{
    {{{0, 1}, {2, 3}}},  // class 0: "0 1" or "2 3"
    {{{1, 0}, {3, 4}}},  // class 1: the same words in the other order, and "3 4"
    {{{4, 5}, {5, 2}}},  // class 2
}};

dataset<float> sentences(std::size_t n, std::uint64_t seed) {
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

int main() {
  const auto train = sentences(6'000, 1), test = sentences(2'000, 2);
  classifier net(/*seed=*/1);
  const auto start = std::chrono::steady_clock::now();
  const auto history =
      fit(net, categorical_crossentropy{}, keras_adam(0.003), train, {.epochs = 8, .seed = 1}, categorical_accuracy{});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto result = evaluate(net, categorical_crossentropy{}, test, categorical_accuracy{});
  std::printf("text_classifier: %zu parameters, %zu epochs in %.2f s (%.0f samples/s), train accuracy %.3f, test "
              "accuracy %.3f (loss %.4f)\n",
              classifier::parameter_count, history.size(), seconds, double(history.size() * train.size()) / seconds,
              history.back().accuracy, result.accuracy, result.loss);
  constexpr double threshold = 0.95;
  const bool learned = result.accuracy >= threshold;
  std::printf("%s: test accuracy %.3f %s %.2f (chance: 0.33)\n", learned ? "learned" : "did not learn", result.accuracy,
              learned ? ">=" : "<", threshold);
  return learned ? 0 : 1;
}
