// A classifier with a layer of the user's own: three interleaved spirals in the plane,
// a residual block written as a function, trained, saved, reloaded, and used at batch 1.
// Exits 0 when the test accuracy reaches the threshold, 1 when it does not.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>

#include <unistd.h>

#include <ctgraph/ctgraph.hpp>

using namespace ctgraph;

// --8<-- [start:residual]
/// A residual block: relu(x + W2 relu(W1 x + b1) + b2). A layer is a function that
/// composes primitives; its parameters are named after the block ("block_1.inner.kernel").
template <fixed_string Name, node X>
constexpr auto residual(X x) {
  constexpr std::size_t width = X::shape::dims[0];
  constexpr auto inner = dense<width, concat<Name, ".inner">()>(x, activation::relu);
  constexpr auto outer = dense<width, concat<Name, ".outer">()>(inner);
  return relu(x + outer);
}
// --8<-- [end:residual]

// --8<-- [start:graph]
constexpr std::size_t classes = 3;
constexpr auto x = input<2>;
constexpr auto graph =
    dense<classes, "logits">(residual<"block_2">(residual<"block_1">(dense<32, "embed">(x, activation::relu))));
using classifier = model<decltype(graph), 32>;
static_assert(classifier::parameter_count == 2 * 32 + 32 + 2 * 2 * (32 * 32 + 32) + 32 * classes + classes);
// --8<-- [end:graph]

/// n points per class on three spiral arms, with noise; the label is the arm.
dataset<float> spirals(std::size_t per_class, std::uint64_t seed) {
  random_engine rng(seed);
  const std::size_t n = per_class * classes;
  dataset<float> d{xt::xtensor<float, 2>({n, 2}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t i = 0; i < per_class; ++i) {
      const double r = double(i) / double(per_class);
      const double angle = 4.0 * r + 2.0 * std::numbers::pi * double(c) / classes + 0.2 * rng.normal();
      const std::size_t row = c * per_class + i;
      d.x(row, 0) = float(r * std::cos(angle));
      d.x(row, 1) = float(r * std::sin(angle));
      d.y(row, 0) = float(c);
    }
  return shuffled(d, seed + 1);
}

int main() {
  const auto all = spirals(500, 7);
  const auto train = rows(all, 0, 1200), test = rows(all, 1200, all.size());

  // --8<-- [start:train]
  classifier net(/*seed=*/1);
  const auto history =
      fit(net, softmax_cross_entropy{}, keras_adam(0.01), train, {.epochs = 150, .seed = 1}, categorical_accuracy{});
  const auto result = evaluate(net, softmax_cross_entropy{}, test, categorical_accuracy{});
  // --8<-- [end:train]
  std::printf("residual_classifier: %zu parameters, %zu epochs, train accuracy %.3f, test accuracy %.3f (loss %.4f)\n",
              classifier::parameter_count, history.size(), history.back().accuracy, result.accuracy, result.loss);

  // --8<-- [start:weights]
  const auto file = std::filesystem::temp_directory_path() / ("residual_classifier_" + std::to_string(::getpid()) + ".npz");
  save_weights(net, file);                  // atomically: a temporary, then renamed
  classifier reloaded(/*seed=*/99);         // other initial weights ...
  load_weights(reloaded, file);             // ... replaced by the saved ones, by name
  // --8<-- [end:weights]
  const auto before = predict(net, test.x), after = predict(reloaded, test.x);
  const bool same = before == after;
  std::filesystem::remove(file);
  std::printf("weights saved and reloaded: predictions %s\n", same ? "identical" : "DIFFER");

  // --8<-- [start:batch_one]
  model<decltype(graph), 1> single(reloaded);  // the trained parameters, at batch 1
  std::copy_n(&test.x(0, 0), 2, single.input().begin());
  single.forward();
  const auto scores = single.output();  // three class scores (logits)
  // --8<-- [end:batch_one]
  const auto best = std::size_t(std::max_element(scores.begin(), scores.end()) - scores.begin());
  // Batch 1 and batch 32 run different product loops: equal to float rounding, not bit for bit.
  bool agrees = true;
  for (std::size_t j = 0; j < classes; ++j) agrees = agrees && std::abs(scores[j] - before(0, j)) <= 1e-4f;

  constexpr int calls = 100'000;
  const auto start = std::chrono::steady_clock::now();
  volatile float last = 0;  // read every output, so that no call is optimised away
  for (int i = 0; i < calls; ++i) {
    single.input()[0] = float(i % 100) / 100.0f;
    single.forward();
    last = single.output()[0];
  }
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / calls;
  std::printf("batch 1: sample 0 is class %zu (label %d), %s the batch-32 model; %.0f ns per prediction (last score %.3f)\n",
              best, int(test.y(0, 0)), agrees ? "as" : "UNLIKE", ns, double(last));

  constexpr double threshold = 0.95;
  const bool learned = result.accuracy >= threshold;
  std::printf("%s: test accuracy %.3f %s %.2f\n", learned ? "learned" : "did not learn", result.accuracy,
              learned ? ">=" : "<", threshold);
  return learned && same && agrees ? 0 : 1;
}
