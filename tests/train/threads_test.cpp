// fit on several threads (train/parallel_step.hpp): a step cut into grains gives one thread's
// gradient within float rounding, the same bits on any number of threads, and the same dropout
// masks as the whole batch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

#include "golden_feature/golden_feature.hpp"

using namespace ctgraph;

namespace {
constexpr auto features = input<12>;
// Dropout between the layers: its mask must be the whole batch's, row for row, in every grain.
constexpr auto net_graph = dense<1>(dropout<0.25>(dense<16>(features, activation::relu)), activation::sigmoid);
using net_type = std::remove_const_t<decltype(net_graph)>;

// A second graph (same layers, another dense width) cut into grains of 30 rows: at batch 100 its
// last grain is 10 rows of the batch and 20 past its end.
constexpr auto uneven_graph = dense<1>(dropout<0.25>(dense<15>(features, activation::relu)), activation::sigmoid);
using uneven_type = std::remove_const_t<decltype(uneven_graph)>;
}  // namespace

template <>
inline constexpr std::size_t ctgraph::grain_rows<uneven_type, 100> = 30;

namespace {
template <class Model>
void fill_batch(Model& net, std::uint64_t seed) {
  random_engine rng(seed);
  for (auto& v : net.input()) v = typename Model::scalar(rng.uniform(-1, 1));
  for (auto& v : net.target()) v = typename Model::scalar(rng.below(2));
}

template <class Model>
dataset<float> make_rows(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  dataset<float> d{xt::xtensor<float, 2>({n, 12}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    float s = 0;
    for (std::size_t j = 0; j < 12; ++j) s += (d.x(i, j) = float(rng.uniform(-1, 1))) * float(j % 3);
    d.y(i, 0) = s > 0 ? 1.f : 0.f;
  }
  return d;
}

/// The gradient and loss of one step on `threads` threads (1: the model's own compute_gradients).
template <class Model>
std::vector<double> step_gradient(std::size_t threads, std::size_t count, double& loss, std::size_t& hits) {
  Model net(7);
  fill_batch(net, 3);
  net.set_steps(5);  // a step other than the first: its dropout mask is that step's
  const binary_crossentropy loss_function;  // the step keeps references to its loss and optimizer
  const adam optimizer = keras_adam();
  detail::training_step<Model, binary_crossentropy, adam, binary_accuracy, 1> step(net, loss_function, optimizer,
                                                                                  threads);
  REQUIRE(step.threads() == training_threads<Model>(threads));
  const auto result = step(count);
  loss = result.loss, hits = result.hits;
  return {net.gradients().begin(), net.gradients().end()};
}
}  // namespace

TEST_CASE("threads: the grains of a step are up to 4, of at least 32 rows, and cap the threads a step can use") {
  CHECK(step_grains<model<net_type, 256>> == 4);
  CHECK(step_grains<model<net_type, 128>> == 4);
  CHECK(step_grains<model<net_type, 120>> == 2);  // 4 grains would be 30 rows
  CHECK(step_grains<model<net_type, 32>> == 1);   // digits_attention's batch: one thread
  CHECK(step_grains<model<uneven_type, 100>> == 4);
  CHECK(step_grains<model<golden_feature::graph_type, golden_feature::batch>> == 2);  // its own cut, of 128 rows
  CHECK(training_threads<model<net_type, 128>>(8) == 4);
  CHECK(training_threads<model<net_type, 128>>(0) == 1);
  CHECK(training_threads<model<net_type, 32>>(2) == 1);
}

TEST_CASE("threads: a step on grains gives one thread's loss, hits and gradient within rounding (double)") {
  using m = model<net_type, 128, double>;
  for (const std::size_t count : {128u, 70u, 20u}) {  // full; grain 2 short and 3 empty; grain 0 only
    CAPTURE(count);
    double one_loss = 0, loss = 0;
    std::size_t one_hits = 0, hits = 0;
    const auto one = step_gradient<m>(1, count, one_loss, one_hits);
    const auto four = step_gradient<m>(4, count, loss, hits);
    CHECK(loss == doctest::Approx(one_loss).epsilon(1e-12));
    CHECK(hits == one_hits);
    double largest = 0;
    for (double g : one) largest = std::max(largest, std::abs(g));
    REQUIRE(largest > 1e-3);  // the batch has a gradient to compare
    for (std::size_t i = 0; i < one.size(); ++i) CHECK(std::abs(four[i] - one[i]) <= 1e-12 * largest);
  }
}

TEST_CASE("threads: a short last grain past the batch's end counts only the batch's rows") {
  using m = model<uneven_type, 100, double>;
  double one_loss = 0, loss = 0;
  std::size_t one_hits = 0, hits = 0;
  const auto one = step_gradient<m>(1, 100, one_loss, one_hits);
  const auto three = step_gradient<m>(3, 100, loss, hits);
  CHECK(loss == doctest::Approx(one_loss).epsilon(1e-12));
  CHECK(hits == one_hits);
  for (std::size_t i = 0; i < one.size(); ++i) CHECK(three[i] == doctest::Approx(one[i]).epsilon(1e-10).scale(1e-3));
}

TEST_CASE("threads: a step's gradient is the same bits on 2, 3 and 4 threads") {
  using m = model<net_type, 128>;
  double loss2 = 0, loss3 = 0, loss4 = 0;
  std::size_t hits = 0;
  const auto two = step_gradient<m>(2, 100, loss2, hits);
  const auto three = step_gradient<m>(3, 100, loss3, hits);
  const auto four = step_gradient<m>(4, 100, loss4, hits);
  CHECK(two == three);
  CHECK(two == four);
  CHECK(loss2 == loss3);
  CHECK(loss2 == loss4);
}

TEST_CASE("threads: fit on 2, 3 and 4 threads trains the same bits, and what one thread trains within rounding") {
  const auto data = make_rows<model<net_type, 128>>(128 * 6 + 50, 11);  // a partial last batch too
  std::vector<std::vector<float>> trained;
  std::vector<double> losses;
  for (const std::size_t threads : {1u, 2u, 3u, 4u}) {
    model<net_type, 128> net(5);
    const auto history = fit(net, binary_crossentropy{}, keras_adam(0.01), data,
                             {.epochs = 4, .seed = 9, .threads = threads}, binary_accuracy{});
    trained.emplace_back(net.parameters().begin(), net.parameters().end());
    losses.push_back(history.back().loss);
    if (threads == 1) CHECK(history.back().loss < 0.8 * history.front().loss);  // it learned
  }
  CHECK(trained[1] == trained[2]);
  CHECK(trained[1] == trained[3]);
  CHECK(losses[1] == losses[2]);
  for (std::size_t i = 0; i < trained[0].size(); ++i) CHECK(trained[1][i] == doctest::Approx(trained[0][i]).epsilon(1e-3));
  CHECK(losses[1] == doctest::Approx(losses[0]).epsilon(1e-4));
}

namespace {
/// Adam behind an optimizer of a user's: update alone, nothing else of the library's.
struct users_adam {
  adam inner = keras_adam(0.01);
  template <class S>
  void update(S* p, const S* g, S* state, std::size_t n, std::uint64_t t) const {
    inner.update(p, g, state, n, t);
  }
};
}  // namespace

TEST_CASE("threads: every thread's copy of the model stays the model's bits, a skipped step included") {
  using m = model<net_type, 128>;
  const binary_crossentropy loss;  // the steps keep references to their loss and optimizer
  const adam optimizer = keras_adam(0.01);
  for (const std::size_t threads : {2u, 3u, 4u}) {
    CAPTURE(threads);
    m net(7), alone(7), shared(7);
    detail::training_step<m, binary_crossentropy, adam, binary_accuracy, 1> step(net, loss, optimizer, threads);
    // Without copies (fit's choice where its sync changes the model): the other threads' grains
    // read the model's parameters, and its thread alone updates them.
    detail::training_step<m, binary_crossentropy, adam, binary_accuracy, 1> no_copies(shared, loss, optimizer, threads,
                                                                                     false);
    detail::training_step<m, binary_crossentropy, adam, binary_accuracy, 1> one(alone, loss, optimizer, 1);
    for (int s = 0; s < 5; ++s) {  // the moments and the step count carry over
      CAPTURE(s);
      fill_batch(net, 3 + std::uint64_t(s));
      fill_batch(alone, 3 + std::uint64_t(s));
      fill_batch(shared, 3 + std::uint64_t(s));
      if (s == 2) net.input()[5] = alone.input()[5] = shared.input()[5] = std::numeric_limits<float>::quiet_NaN();
      const auto result = step(100);
      one(100);
      no_copies(100);
      const bool finite = detail::step_is_finite(result.loss, net.gradients());
      CHECK(finite == (s != 2));  // the NaN's step is skipped, as fit skips it: no update anywhere
      if (finite) step.update(), one.update(), no_copies.update();
      CHECK(step.copies_match());
      CHECK(std::ranges::equal(net.parameters(), shared.parameters()));
    }
    CHECK(net.steps() == 4);
    for (std::size_t i = 0; i < net.parameters().size(); ++i)
      CHECK(net.parameters()[i] == doctest::Approx(alone.parameters()[i]).epsilon(1e-4));
  }
}

TEST_CASE("threads: an optimizer of the user's, with update alone, trains on threads with the library's bits") {
  const auto data = make_rows<model<net_type, 128>>(128 * 4, 13);
  for (const std::size_t threads : {2u, 3u}) {
    model<net_type, 128> library(5), users(5);
    fit(library, binary_crossentropy{}, keras_adam(0.01), data, {.epochs = 2, .seed = 9, .threads = threads});
    fit(users, binary_crossentropy{}, users_adam{}, data, {.epochs = 2, .seed = 9, .threads = threads});
    CHECK(std::ranges::equal(library.parameters(), users.parameters()));
  }
}

TEST_CASE("threads: golden_feature on 2 threads learns what it learns on one") {
  const auto data = golden_feature::make_data(256 * 8, 1);
  std::vector<double> accuracy;
  for (const std::size_t threads : {1u, 2u}) {
    model<golden_feature::graph_type, golden_feature::batch> net(1);
    const auto history = fit(net, binary_crossentropy{}, keras_adam(golden_feature::learning_rate), data,
                             {.epochs = 3, .seed = 2, .threads = threads}, binary_accuracy{});
    accuracy.push_back(history.back().accuracy);
  }
  CHECK(accuracy[0] > 0.9);
  CHECK(accuracy[1] == doctest::Approx(accuracy[0]).epsilon(0.01));
}

TEST_CASE("threads: a graph of several outputs asked for threads says it trains on one") {
  constexpr auto g = outputs(dense<1>(features), dense<2>(features, activation::softmax));
  using m = model<std::remove_const_t<decltype(g)>, 128>;
  using loss = weighted_sum<0.5, mean_squared_error, 0.5, categorical_crossentropy>;
  m net(1);
  CHECK_THROWS_WITH_AS((detail::training_step<m, loss, adam, no_metric, 2>(net, loss{}, keras_adam(), 2)),
                       doctest::Contains("a graph of several outputs trains on one thread"), std::invalid_argument);
  CHECK_NOTHROW((detail::training_step<m, loss, adam, no_metric, 2>(net, loss{}, keras_adam(), 1)));
}
