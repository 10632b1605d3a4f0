// The code of docs/guide.md that is not in examples/: each snippet between its
// "--8<--" marks is copied into the guide verbatim (check_guide.py proves it), and
// compiled and run here, so that the guide cannot rot.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <doctest/doctest.h>

#include <ctgraph/ctgraph.hpp>

namespace fs = std::filesystem;

namespace guide {

using namespace ctgraph;

// --8<-- [start:choices]
// A binary classifier: the output is a sigmoid, the loss takes its logit (exact, as tf.keras).
constexpr auto spam = dense<1, "is_spam">(dense<16>(input<8>, activation::relu), activation::sigmoid);
// A classifier over 4 classes: raw scores out, PyTorch's CrossEntropyLoss on them.
constexpr auto kind = dense<4, "scores">(dense<16>(input<8>, activation::relu));

void train_both(const dataset<float>& spam_data, const dataset<float>& kind_data) {
  model<decltype(spam), 32> a(/*seed=*/1);
  fit(a, binary_crossentropy{}, keras_adam(0.003), spam_data, {.epochs = 20}, binary_accuracy{});

  model<decltype(kind), 32> b(/*seed=*/1);
  fit(b, softmax_cross_entropy{}, torch_adam(0.01, /*weight_decay=*/1e-4), kind_data, {.epochs = 20},
      categorical_accuracy{});
  fit(b, softmax_cross_entropy{}, sgd{.learning_rate = 0.05}, kind_data, {.epochs = 5, .shuffle = false});
}
// --8<-- [end:choices]

// --8<-- [start:arrays]
/// Your samples as rows: x[i] the inputs of sample i, y[i] its target(s).
dataset<float> from_vectors(const std::vector<std::vector<float>>& x, const std::vector<float>& y) {
  dataset<float> d{xt::xtensor<float, 2>({x.size(), x.at(0).size()}), xt::xtensor<float, 2>({x.size(), 1})};
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::copy(x[i].begin(), x[i].end(), &d.x(i, 0));
    d.y(i, 0) = y[i];
  }
  return d;
}
// --8<-- [end:arrays]

// --8<-- [start:several]
// Two inputs by name, two outputs: a value (MSE) and one of 3 classes (cross-entropy).
constexpr auto series = named_input<"series", 16>;
constexpr auto context = named_input<"context", 3>;
constexpr auto shared = dense<32>(concat(series, context), activation::relu);
constexpr auto two_heads = outputs(dense<1>(shared), dense<3>(shared, activation::softmax));
using two_losses = weighted_sum<0.8, mean_squared_error, 0.2, categorical_crossentropy>;

multi_evaluation<2> train_two_heads(const xt::xtensor<float, 2>& s, const xt::xtensor<float, 2>& c,
                                    const xt::xtensor<float, 2>& value, const xt::xtensor<float, 2>& label) {
  // One array per input, by name, in any order; one array of targets per output, in outputs' order.
  multi_dataset<2, 2> data;
  data.x = {named_rows<float>{"series", s}, named_rows<float>{"context", c}};
  data.y = {value, label};
  model<decltype(two_heads), 32> net(/*seed=*/1);
  fit(net, two_losses{}, keras_adam(0.01), data, {.epochs = 30});
  const auto [values, class_probabilities] = predict(net, data.x);  // rows x 1, rows x 3
  return evaluate(net, two_losses{}, data);  // .loss: the weighted total; .output_losses: each output's
}
// --8<-- [end:several]

dataset<float> read_measurements(const fs::path& file) {
  // --8<-- [start:csv]
  // 8 input columns, then the label; every malformed line is refused naming file, line and column.
  const dataset<float> all = read_csv<float>(file, {.inputs = 8, .targets = 1});
  const dataset<float> shuffled_rows = shuffled(all, /*seed=*/1);
  const dataset<float> train = rows(shuffled_rows, 0, all.size() * 8 / 10);
  const dataset<float> test = rows(shuffled_rows, all.size() * 8 / 10, all.size());
  // --8<-- [end:csv]
  return dataset<float>{xt::concatenate(xt::xtuple(train.x, test.x)), xt::concatenate(xt::xtuple(train.y, test.y))};
}

}  // namespace guide

namespace {

struct scratch {
  fs::path dir = fs::temp_directory_path() / ("ctgraph-guide-" + std::to_string(::getpid()));
  scratch() { fs::create_directories(dir); }
  ~scratch() { fs::remove_all(dir); }
};

/// 8 features in [0, 1); the label (0/1) says whether the first two sum past 1, the class (0..3) which quarter
/// of [0, 2) they sum to.
void make_data(std::size_t n, ctgraph::dataset<float>& binary, ctgraph::dataset<float>& classes) {
  ctgraph::random_engine rng(3);
  std::vector<std::vector<float>> x(n, std::vector<float>(8));
  std::vector<float> label(n), cls(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& v : x[i]) v = float(rng.uniform());
    const float s = x[i][0] + x[i][1];
    label[i] = s > 1 ? 1.0f : 0.0f;
    cls[i] = std::min(3.0f, std::floor(s * 2));
  }
  binary = guide::from_vectors(x, label);
  classes = guide::from_vectors(x, cls);
}

}  // namespace

TEST_CASE("guide: the loss, optimizer and metric snippets train and learn") {
  ctgraph::dataset<float> binary, classes;
  make_data(2000, binary, classes);
  guide::train_both(binary, classes);  // the snippet compiles and runs; learning is checked below

  ctgraph::model<decltype(guide::spam), 32> a(1);
  const auto h = ctgraph::fit(a, ctgraph::binary_crossentropy{}, ctgraph::keras_adam(0.003), binary, {.epochs = 20},
                              ctgraph::binary_accuracy{});
  CHECK(h.back().accuracy > 0.9);
  ctgraph::model<decltype(guide::kind), 32> b(1);
  const auto k = ctgraph::fit(b, ctgraph::softmax_cross_entropy{}, ctgraph::torch_adam(0.01, 1e-4), classes,
                              {.epochs = 20}, ctgraph::categorical_accuracy{});
  CHECK(k.back().accuracy > 0.8);
}

TEST_CASE("guide: arrays become a dataset row by row") {
  const auto d = guide::from_vectors({{1, 2}, {3, 4}, {5, 6}}, {0, 1, 0});
  CHECK(d.size() == 3);
  CHECK(d.x(2, 1) == 6);
  CHECK(d.y(1, 0) == 1);
}

TEST_CASE("guide: the two-input, two-output snippet trains on a multi_dataset") {
  const std::size_t n = 512;
  ctgraph::random_engine rng(3);
  xt::xtensor<float, 2> s({n, 16}), c({n, 3}), value({n, 1}), label({n, 1});
  for (std::size_t i = 0; i < n; ++i) {
    float mean = 0;
    for (std::size_t j = 0; j < 16; ++j) mean += (s(i, j) = float(rng.uniform(-1, 1))) / 16;
    for (std::size_t j = 0; j < 3; ++j) c(i, j) = float(rng.uniform(-1, 1));
    value(i, 0) = mean + c(i, 0);
    label(i, 0) = float(c(i, 1) > 0.3f ? 2 : c(i, 1) > -0.3f ? 1 : 0);
  }
  const auto result = guide::train_two_heads(s, c, value, label);
  MESSAGE("value MSE ", result.output_losses[0], ", class cross-entropy ", result.output_losses[1]);
  CHECK(result.loss == doctest::Approx(0.8 * result.output_losses[0] + 0.2 * result.output_losses[1]));
  CHECK(result.output_losses[0] < 0.05);  // the value's variance is about 0.35
  CHECK(result.output_losses[1] < 0.4);   // chance: log 3 = 1.1
}

TEST_CASE("guide: the CSV snippet reads, shuffles and splits a file") {
  scratch s;
  const auto file = s.dir / "measurements.csv";
  {
    std::ofstream out(file);
    for (int i = 0; i < 50; ++i) {
      for (int j = 0; j < 8; ++j) out << i * 10 + j << ',';
      out << i % 2 << '\n';
    }
  }
  const auto back = guide::read_measurements(file);
  CHECK(back.size() == 50);
  double total = 0;
  for (std::size_t i = 0; i < back.size(); ++i) total += back.x(i, 0);
  CHECK(total == doctest::Approx(10.0 * 49 * 50 / 2));  // every row once, in some order
}

#if CTGRAPH_HAVE_TORCH
TEST_CASE("guide: weights go to PyTorch's nn.Linear and back, predicting the same") {
  scratch s;
  ctgraph::dataset<float> binary, classes;
  make_data(256, binary, classes);
  ctgraph::model<decltype(guide::kind), 32> net(5);
  ctgraph::fit(net, ctgraph::softmax_cross_entropy{}, ctgraph::torch_adam(0.01), classes, {.epochs = 3});
  ctgraph::save_weights(net, s.dir / "ours.npz");
  const xt::xtensor<float, 2> x = xt::view(classes.x, xt::range(0, 64), xt::all());
  ctgraph::write_npz(s.dir / "inputs.npz", {{"x", {64, 8}, std::span<const float>(x.data(), x.size())}});

  const std::string command = "/usr/bin/python3 '" CTGRAPH_SOURCE_DIR "/tests/docs/torch_weights.py' '" +
                              (s.dir / "ours.npz").string() + "' '" + (s.dir / "inputs.npz").string() + "' '" +
                              (s.dir / "torch_y.npz").string() + "' '" + (s.dir / "theirs.npz").string() + "'";
  REQUIRE(std::system(command.c_str()) == 0);

  const auto torch_y = ctgraph::read_npz(s.dir / "torch_y.npz").at(0).values;
  ctgraph::model<decltype(guide::kind), 32> back(99);
  ctgraph::load_weights(back, s.dir / "theirs.npz");
  const auto ours = ctgraph::predict(net, x), theirs = ctgraph::predict(back, x);
  REQUIRE(torch_y.size() == ours.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    CHECK(torch_y[i] == doctest::Approx(ours.data()[i]).epsilon(1e-5));
    CHECK(theirs.data()[i] == ours.data()[i]);  // the same floats went out and came back
  }
}
#endif
