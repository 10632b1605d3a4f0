// Several inputs and several outputs: named inputs, outputs(a, b) and a weighted sum of two losses;
// fit, evaluate and predict on a multi_dataset.
#include <unistd.h>

#include <bit>
#include <filesystem>
#include <numeric>

#include "gradcheck.hpp"

using namespace ctgraph;

namespace {
constexpr auto left = named_input<"left", 5, 3>;
constexpr auto right = named_input<"right", 4>;
constexpr auto shared = dense<8>(concat(flatten(left), right), activation::tanh);
constexpr auto value = dense<1>(shared);                                              // a regression
constexpr auto kind = dense<3>(concat(shared, right), activation::softmax);           // a class
using two_heads = std::remove_const_t<decltype(outputs(value, kind))>;
using loss_type = weighted_sum<0.7, mean_squared_error, 0.3, categorical_crossentropy>;
constexpr std::size_t batch = 4;

template <class Model>
void fill(Model& net, std::uint64_t seed, std::size_t rows) {
  random_engine rng(seed);
  for (auto& v : net.template input<"left">()) v = rng.uniform(-1, 1);
  for (auto& v : net.template input<"right">()) v = rng.uniform(-1, 1);
  std::fill(net.target().begin(), net.target().end(), 0);
  for (std::size_t r = 0; r < rows; ++r) {
    net.target()[r] = rng.uniform(-1, 1);             // value's targets: batch rows of 1
    net.target()[batch + r] = double(rng.below(3));   // then kind's: batch rows of 1 (the class)
  }
}
}  // namespace

TEST_CASE("outputs: two inputs by name and two outputs side by side in output()") {
  model<two_heads, batch, double> net(1);
  static_assert(decltype(net)::output_size == 4);
  fill(net, 2, batch);
  net.forward();
  for (std::size_t r = 0; r < batch; ++r) {
    const double* row = net.output().data() + r * 4;
    CHECK(row[1] + row[2] + row[3] == doctest::Approx(1.0).epsilon(1e-12));  // kind's softmax
  }
  test::check_gradients<two_heads>();  // every parameter, through both outputs
}

TEST_CASE("weighted_sum: loss and gradient are the weighted sums of each output's, and match finite differences") {
  model<two_heads, batch, double> net(1);
  fill(net, 3, 3);  // a partial batch: 3 rows of 4
  for (auto& p : net.parameters()) p *= 2;
  const double total = net.compute_gradients(loss_type{}, 3);
  const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());
  // The same loss by hand from the outputs.
  double by_hand = 0;
  for (std::size_t r = 0; r < 3; ++r) {
    const double* row = net.output().data() + r * 4;
    by_hand += 0.7 * std::pow(row[0] - net.target()[r], 2) - 0.3 * std::log(row[1 + std::size_t(net.target()[batch + r])]);
  }
  CHECK(total == doctest::Approx(by_hand).epsilon(1e-12));
  for (std::size_t i = 0; i < net.parameter_count; ++i) {
    double& p = net.parameters()[i];
    const double saved = p, h = 1e-6;
    p = saved + h;
    net.forward();
    const double up = net.loss(loss_type{}, 3) / 3;
    p = saved - h;
    net.forward();
    const double down = net.loss(loss_type{}, 3) / 3;
    p = saved;
    INFO("parameter ", i);
    CHECK(analytic[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-7));
  }
}

TEST_CASE("weighted_sum: a model of two inputs and two outputs trains on both losses") {
  // value = sum(left) - right_0, kind = the largest of right's first three values.
  model<two_heads, 32> net(1);
  random_engine rng(4);
  const auto batch_of = [&](auto& m) {
    auto l = m.template input<"left">();
    auto r = m.template input<"right">();
    for (auto& v : l) v = float(rng.uniform(-1, 1));
    for (auto& v : r) v = float(rng.uniform(-1, 1));
    for (std::size_t s = 0; s < 32; ++s) {
      float sum = 0;
      for (std::size_t j = 0; j < 15; ++j) sum += l[s * 15 + j];
      m.target()[s] = 0.2f * sum - r[s * 4];
      const float* rs = r.data() + s * 4;
      m.target()[32 + s] = float(rs[0] >= rs[1] && rs[0] >= rs[2] ? 0 : (rs[1] >= rs[2] ? 1 : 2));
    }
  };
  const auto optimizer = keras_adam(0.01);
  double first = 0, last = 0;
  for (int step = 0; step < 600; ++step) {
    batch_of(net);
    const double loss = net.train_step(loss_type{}, optimizer) / 32;
    if (step < 20) first += loss / 20;
    if (step >= 580) last += loss / 20;
  }
  MESSAGE("weighted loss: first 20 steps ", first, ", last 20 ", last);
  CHECK(last < 0.3 * first);
}

// fit, evaluate and predict on a multi_dataset: the same two-input, two-output graph.
namespace {
using two_heads_model = model<two_heads, 32>;

/// value = 0.2 sum(left) - right_0, kind = the largest of right's first three values. The arrays
/// are listed right first: they are matched to the graph's inputs by name, not by place.
multi_dataset<2, 2> two_tasks(std::size_t n, std::uint64_t seed) {
  random_engine rng(seed);
  multi_dataset<2, 2> d;
  d.x = {named_rows<float>{"right", xt::xtensor<float, 2>({n, 4})}, named_rows<float>{"left", xt::xtensor<float, 2>({n, 15})}};
  d.y = {xt::xtensor<float, 2>({n, 1}), xt::xtensor<float, 2>({n, 1})};
  auto& r = d.x[0].values;
  auto& l = d.x[1].values;
  for (std::size_t s = 0; s < n; ++s) {
    float sum = 0;
    for (std::size_t j = 0; j < 15; ++j) sum += l(s, j) = float(rng.uniform(-1, 1));
    for (std::size_t j = 0; j < 4; ++j) r(s, j) = float(rng.uniform(-1, 1));
    d.y[0](s, 0) = 0.2f * sum - r(s, 0);
    d.y[1](s, 0) = float(r(s, 0) >= r(s, 1) && r(s, 0) >= r(s, 2) ? 0 : (r(s, 1) >= r(s, 2) ? 1 : 2));
  }
  return d;
}

template <class Span>
std::vector<std::uint32_t> float_bits(Span values) {
  std::vector<std::uint32_t> out;
  for (const float v : values) out.push_back(std::bit_cast<std::uint32_t>(v));
  return out;
}

struct temp_dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ctgraph_multi_test_" + std::to_string(random_engine(::getpid()).below(1u << 30)));
  temp_dir() { std::filesystem::create_directories(path); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
}  // namespace

TEST_CASE("fit: a model of two inputs and two outputs learns from a multi_dataset; predict returns both outputs") {
  const auto train = two_tasks(4'000, 5), test = two_tasks(1'000, 6);
  two_heads_model net(1);
  const auto before = evaluate(net, loss_type{}, test);
  const auto history = fit(net, loss_type{}, keras_adam(0.01), train, {.epochs = 15, .seed = 1});
  const auto after = evaluate(net, loss_type{}, test);
  const auto [value, kind] = predict(net, test.x);
  REQUIRE((value.shape()[0] == 1'000 && value.shape()[1] == 1));
  REQUIRE((kind.shape()[0] == 1'000 && kind.shape()[1] == 3));
  double value_mse = 0, value_variance = 0, hits = 0;
  for (std::size_t s = 0; s < 1'000; ++s) {
    value_mse += std::pow(value(s, 0) - test.y[0](s, 0), 2) / 1'000;
    value_variance += std::pow(test.y[0](s, 0), 2) / 1'000;
    const float* row = &kind(s, 0);
    hits += double(std::size_t(std::max_element(row, row + 3) - row) == std::size_t(test.y[1](s, 0)));
  }
  MESSAGE("test: weighted loss ", before.loss, " -> ", after.loss, "; value MSE ", after.output_losses[0],
          " (variance ", value_variance, "), kind cross-entropy ", after.output_losses[1], ", accuracy ", hits / 1'000,
          "; train loss of the last epoch ", history.back().loss);
  CHECK(after.output_losses[0] == doctest::Approx(value_mse).epsilon(1e-4));  // predict's outputs are evaluate's
  CHECK(after.output_losses[0] < 0.05 * value_variance);                       // the regression learned
  CHECK(hits / 1'000 > 0.9);                                                   // and the classes (chance: 1/3)
  CHECK(after.loss < 0.2 * before.loss);
}

TEST_CASE("evaluate on a multi_dataset: each output's own loss, and the weighted total") {
  const auto data = two_tasks(100, 7);  // 3 full batches of 32 and one of 4
  two_heads_model net(2);
  const auto result = evaluate(net, loss_type{}, data);
  const auto [value, kind] = predict(net, data.x);
  double mse = 0, cross_entropy = 0;
  for (std::size_t s = 0; s < 100; ++s) {
    mse += std::pow(double(value(s, 0)) - data.y[0](s, 0), 2) / 100;
    cross_entropy -= std::log(double(kind(s, std::size_t(data.y[1](s, 0))))) / 100;
  }
  CHECK(result.output_losses[0] == doctest::Approx(mse).epsilon(1e-5));
  CHECK(result.output_losses[1] == doctest::Approx(cross_entropy).epsilon(1e-5));
  CHECK(result.loss == doctest::Approx(0.7 * mse + 0.3 * cross_entropy).epsilon(1e-5));
}

TEST_CASE("the shuffle is Fisher-Yates drawing from the library's generator, in blocks or not") {
  // The draws are made a block ahead of the swaps (fit.hpp): the same order as one draw per swap,
  // for sizes below, at and past a block's 256.
  for (const std::size_t n : {0, 1, 2, 3, 255, 256, 257, 258, 513, 5000}) {
    std::vector<std::size_t> blocked(n), textbook(n);
    std::iota(blocked.begin(), blocked.end(), std::size_t{0});
    std::iota(textbook.begin(), textbook.end(), std::size_t{0});
    random_engine a(n + 1), b(n + 1);
    detail::shuffle(blocked, a);
    for (std::size_t i = n; i-- > 1;) std::swap(textbook[i], textbook[b.below(i + 1)]);
    CHECK(blocked == textbook);
    CHECK(a.next() == b.next());  // as many draws
  }
}

TEST_CASE("fit on a multi_dataset equals the same train_step calls, every array in the one shuffled order, bit for bit") {
  const auto data = two_tasks(70, 8);  // batches of 32, 32 and 6
  const auto optimizer = keras_adam(0.01);
  two_heads_model fitted(3);
  fit(fitted, loss_type{}, optimizer, data, {.epochs = 3, .seed = 11});

  two_heads_model stepped(3);
  random_engine rng(11);
  std::vector<std::size_t> order(70);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (int epoch = 0; epoch < 3; ++epoch) {
    detail::shuffle(order, rng);
    for (std::size_t first = 0; first < 70; first += 32) {
      const std::size_t count = std::min<std::size_t>(32, 70 - first);
      auto left = stepped.input<"left">(), right = stepped.input<"right">();
      auto target = stepped.target();
      std::ranges::fill(left, 0.0f), std::ranges::fill(right, 0.0f), std::ranges::fill(target, 0.0f);
      for (std::size_t b = 0; b < count; ++b) {
        const std::size_t s = order[first + b];
        for (std::size_t j = 0; j < 15; ++j) left[b * 15 + j] = data.x[1].values(s, j);
        for (std::size_t j = 0; j < 4; ++j) right[b * 4 + j] = data.x[0].values(s, j);
        target[b] = data.y[0](s, 0);       // value's block: 32 rows
        target[32 + b] = data.y[1](s, 0);  // then kind's
      }
      stepped.train_step(loss_type{}, optimizer, count);
    }
  }
  CHECK(stepped.steps() == 9);
  CHECK(float_bits(fitted.parameters()) == float_bits(stepped.parameters()));
  CHECK(float_bits(fitted.parameters()) != float_bits(two_heads_model(3).parameters()));  // it did train
}

TEST_CASE("fit on a multi_dataset: stopped after 2 epochs and resumed from its checkpoint equals 4 in one run") {
  const auto data = two_tasks(100, 9);
  const auto optimizer = keras_adam(0.01);
  two_heads_model whole(4);
  const auto history = fit(whole, loss_type{}, optimizer, data, {.epochs = 4, .seed = 3});
  temp_dir dir;
  two_heads_model first(4);
  fit(first, loss_type{}, optimizer, data, {.epochs = 2, .seed = 3, .checkpoint = dir.path});
  two_heads_model resumed(99);
  const auto rest = fit(resumed, loss_type{}, optimizer, data, {.epochs = 4, .seed = 3, .resume = dir.path});
  CHECK(float_bits(resumed.parameters()) == float_bits(whole.parameters()));
  CHECK(float_bits(resumed.optimizer_state()) == float_bits(whole.optimizer_state()));
  REQUIRE(rest.size() == 4);
  CHECK(rest[3].loss == history[3].loss);
}

TEST_CASE("fit on a multi_dataset: a non-finite loss stops training, or skips its batch") {
  const auto data = two_tasks(64, 10);
  two_heads_model net(5);
  net.parameters()[0] = std::numeric_limits<float>::quiet_NaN();
  const auto before = float_bits(net.parameters());
  CHECK_THROWS_AS(fit(net, loss_type{}, keras_adam(0.01), data), fit_diverged);
  CHECK(float_bits(net.parameters()) == before);
  const auto history = fit(net, loss_type{}, keras_adam(0.01), data, {.divergence = on_divergence::skip_batch});
  CHECK(history.back().skipped == 2);
  CHECK(float_bits(net.parameters()) == before);
}

TEST_CASE("multi_dataset: arrays of other sample counts, unknown names and wrong widths are refused, naming what") {
  two_heads_model net(1);
  const auto fit_on = [&](const multi_dataset<2, 2>& d) { fit(net, loss_type{}, keras_adam(0.01), d); };
  auto d = two_tasks(50, 1);
  d.x[1].values = xt::xtensor<float, 2>({49, 15});
  CHECK_THROWS_WITH_AS(fit_on(d), "ctgraph: fit: input \"left\" has 49 samples, input \"right\" has 50",
                       std::invalid_argument);
  d = two_tasks(50, 1);
  d.y[1] = xt::xtensor<float, 2>({48, 1});
  CHECK_THROWS_WITH_AS(fit_on(d), "ctgraph: fit: the targets of output 2 are 48 x 1, expected 50 x 1 (one row per sample)",
                       std::invalid_argument);
  d = two_tasks(50, 1);
  d.x[1].name = "lft";
  CHECK_THROWS_WITH_AS(fit_on(d), "ctgraph: fit: input array \"lft\" names no input of the graph (its inputs: \"left\", \"right\")",
                       std::invalid_argument);
  d = two_tasks(50, 1);
  d.x[1].name = "right";
  CHECK_THROWS_WITH_AS(fit_on(d), "ctgraph: fit: two input arrays are named \"right\"", std::invalid_argument);
  d = two_tasks(50, 1);
  d.x[0].values = xt::xtensor<float, 2>({50, 5});
  CHECK_THROWS_WITH_AS(evaluate(net, loss_type{}, d),
                       "ctgraph: evaluate: input \"right\": each sample has 5 values, the input takes 4",
                       std::invalid_argument);
  d = two_tasks(50, 1);
  d.x[1].values(7, 3) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH_AS(predict(net, d.x), "ctgraph: predict: input \"left\", sample 7, value 3 is infinite",
                       std::invalid_argument);
}

TEST_CASE("fit on a multi_dataset on threads: each thread gathers its grains' rows of both inputs") {
  using value_model = model<std::remove_const_t<decltype(value)>, 64>;  // grains of 32 rows
  const auto both = two_tasks(64 * 5 + 20, 8);                          // a partial last batch too
  multi_dataset<2, 1> d;
  d.x = both.x;
  d.y = {both.y[0]};
  std::vector<std::vector<float>> trained;
  for (const std::size_t threads : {1u, 2u, 3u}) {
    value_model net(3);
    const auto history = fit(net, mean_squared_error{}, keras_adam(0.01), d, {.epochs = 6, .seed = 4, .threads = threads});
    if (threads == 1) CHECK(history.back().loss < 0.5 * history.front().loss);  // it learned
    trained.emplace_back(net.parameters().begin(), net.parameters().end());
  }
  CHECK(trained[1] == trained[2]);  // 3 threads use 2: one per grain
  for (std::size_t i = 0; i < trained[0].size(); ++i) CHECK(trained[1][i] == doctest::Approx(trained[0][i]).epsilon(1e-3));
}
