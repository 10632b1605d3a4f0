// A text classifier: sentences of 24 token ids (generated), three classes, each told by the
// phrases of two words it contains (text_classifier.hpp: the network and the data). A single
// word says nothing (every class's words appear in every class, in the other order), so the
// classifier must see which word comes first: the convolution does.
// Exits 0 when the test accuracy reaches the threshold, 1 when it does not.
#include <chrono>
#include <cstdio>

#include "text_classifier.hpp"

int main() {
  using namespace text_classifier;
  const auto train = sentences(train_samples, 1), test = sentences(test_samples, 2);
  classifier net(/*seed=*/1);
  const auto start = std::chrono::steady_clock::now();
  const auto history = fit(net, categorical_crossentropy{}, keras_adam(learning_rate), train, {.epochs = 8, .seed = 1},
                           categorical_accuracy{});
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
