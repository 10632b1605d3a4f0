// dlib peer of ctgraph's speed comparison (README.md beside this file).
//   dlib_peer GRAPH [--epochs E] [--seed S]
// Builds GRAPH as a dlib network type (fc, softmax, relu, sig; x * attention through a tag and
// mult_prev), generates the seed's training data, trains one untimed warm-up epoch and then E
// timed epochs (by default as many as take at least one second) on one thread, step by step
// (forward, backward, dlib's Adam per layer: what dnn_trainer does, without its extra thread),
// and prints "GRAPH samples_per_second=<n>".
// Exit 3 for the graphs dlib cannot express (the RNNs: it has no recurrent layer; the text
// classifier: it has no embedding layer); 2 for a bad command line.
#include "../protocol.hpp"

#include <dlib/dnn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

// dlib's BLAS is OpenBLAS on Debian: one thread, whatever the environment says.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace {

using namespace dlib;

constexpr double min_seconds = 1.0;  // the default number of timed epochs is the least that takes this long
using sample = matrix<float, 0, 1>;

// dlib's input layer makes a column vector a tensor (n, 1, rows, 1); fc reads any shape, but
// x * attention needs x as (n, features, 1, 1) like fc's output: extract reshapes it.
template <long Features, typename SUBNET>
using features = extract<0, Features, 1, 1, SUBNET>;

/// golden_feature: p = softmax(Dense 20 (x)); m = x * p; Dense 100; Dense 20; Dense 1, sigmoid
/// (loss_binary_log is the binary cross-entropy from the logit).
using golden_feature_net =
    loss_binary_log<fc<1, fc<20, fc<100, mult_prev1<softmax<fc<20, tag1<features<20, input<sample>>>>>>>>>>;

/// attention_column: p = softmax(Dense 32 (x)); m = x * p; Dense 64; Dense 1, sigmoid.
using attention_column_net =
    loss_binary_log<fc<1, fc<64, mult_prev1<softmax<fc<32, tag1<features<32, input<sample>>>>>>>>>;

/// digits_attention: a = relu(Dense 6 (x)); m = x * a; relu(Dense 6); relu(Dense 3); Dense 1; MSE.
using digits_attention_net = loss_mean_squared<
    fc<1, relu<fc<3, relu<fc<6, mult_prev1<relu<fc<6, tag1<features<6, input<sample>>>>>>>>>>>>;

/// iris' layer: k, q, v = Linear(x); att = softmax((k * q) / sqrt(out)); relu(att * v).
/// tag1 marks x, tag2 k, tag3 att; skip1 goes back to x; multiply's value is set after
/// construction (set_scales).
template <long Out, typename SUBNET>
using atten = relu<mult_prev3<fc<Out, skip1<tag3<softmax<
    multiply<mult_prev2<fc<Out, skip1<tag2<fc<Out, tag1<SUBNET>>>>>>>>>>>>>;

/// iris attention net: Atten(4 -> 10), Atten(10 -> 20), Linear(20 -> 3), sigmoid; softmax
/// cross-entropy over the sigmoid outputs (loss_multiclass_log takes them as its logits).
using iris_attention_net = loss_multiclass_log<sig<fc<3, atten<20, atten<10, input<sample>>>>>>;

/// iris linear baseline: Linear 4->10, relu, Linear 10->20, relu, Linear 20->3, sigmoid.
using iris_linear_net = loss_multiclass_log<sig<fc<3, relu<fc<20, relu<fc<10, input<sample>>>>>>>>;

/// examples/normalized_regression: two blocks of Dense 64, gelu, layer norm, dropout; Dense 1;
/// MSE. The dropout rate (0.1) is set after construction (set_dropout_rates).
using normalized_regression_net =
    loss_mean_squared<fc<1, dropout<layer_norm<gelu<fc<64, dropout<layer_norm<gelu<fc<64, input<sample>>>>>>>>>>>;

/// The scale 1/sqrt(out) of each Atten, from the output down: atten_2 (20), then atten_1 (10).
void set_scales(iris_attention_net& net) {
  const float scales[] = {float(1 / std::sqrt(20.0)), float(1 / std::sqrt(10.0))};
  std::size_t next = 0;
  visit_computational_layers(net, [&](auto& l) {
    if constexpr (std::is_same_v<std::decay_t<decltype(l)>, multiply_>) l = multiply_(scales[next++]);
  });
}
template <class Net>
void set_scales(Net&) {}

/// dlib's dropout layer drops half by default; the networks here drop 10%.
template <class Net>
void set_dropout_rates(Net& net) {
  visit_computational_layers(net, [](auto& l) {
    if constexpr (std::is_same_v<std::decay_t<decltype(l)>, dropout_>) l = dropout_(0.1f);
  });
}

// ----------------------------------------------------------------------------- data

template <class Label>
struct dataset {
  std::vector<sample> x;
  std::vector<Label> y;
};

sample row(std::size_t n) {
  sample s(long(n), 1);
  return s;
}

/// golden_feature: labels in {0, 1} (dlib's binary labels are -1 and +1), features uniform in
/// [0, 1), column 4 = label + r / 500.
dataset<float> data_golden_feature(std::mt19937_64& rng) {
  std::uniform_real_distribution<float> uniform(0, 1);
  const float r = uniform(rng);
  dataset<float> d;
  for (std::size_t i = 0; i < 90'000; ++i) {  // 100,000 less the 10% held out
    const float label = uniform(rng) < 0.5f ? 0.0f : 1.0f;
    sample s = row(20);
    for (long j = 0; j < 20; ++j) s(j) = uniform(rng);
    s(4) = label + r / 500.0f;
    d.x.push_back(s);
    d.y.push_back(label > 0 ? 1.0f : -1.0f);
  }
  return d;
}

/// attention_column: x ~ N(0, 1), 32 features, column 1 replaced by the label.
dataset<float> data_attention_column(std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0, 1);
  std::uniform_real_distribution<float> uniform(0, 1);
  dataset<float> d;
  for (std::size_t i = 0; i < 5'000; ++i) {  // 10,000 less the half held out
    sample s = row(32);
    for (long j = 0; j < 32; ++j) s(j) = normal(rng);
    const float label = uniform(rng) < 0.5f ? 0.0f : 1.0f;
    s(1) = label;
    d.x.push_back(s);
    d.y.push_back(label > 0 ? 1.0f : -1.0f);
  }
  return d;
}

/// digits_attention: six digits / 10, label |abc - def| / 1000.
dataset<float> data_digits_attention(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> digit(0, 9);
  dataset<float> d;
  for (std::size_t i = 0; i < 300'000; ++i) {
    sample s = row(6);
    int value[2] = {0, 0};
    for (long j = 0; j < 6; ++j) {
      const int v = digit(rng);
      value[j / 3] = value[j / 3] * 10 + v;
      s(j) = float(v) / 10.0f;
    }
    d.x.push_back(s);
    d.y.push_back(float(std::abs(value[0] - value[1])) / 1000.0f);
  }
  return d;
}

/// 120 Iris-like rows: three classes around the species' means.
dataset<unsigned long> data_iris(std::mt19937_64& rng) {
  const float means[3][4] = {{5.0f, 3.4f, 1.5f, 0.25f}, {5.9f, 2.8f, 4.3f, 1.3f}, {6.6f, 3.0f, 5.6f, 2.0f}};
  std::uniform_int_distribution<unsigned long> species(0, 2);
  std::normal_distribution<float> noise(0, 0.3f);
  dataset<unsigned long> d;
  for (std::size_t i = 0; i < 120; ++i) {
    const unsigned long c = species(rng);
    sample s = row(4);
    for (long j = 0; j < 4; ++j) s(j) = means[c][j] + noise(rng);
    d.x.push_back(s);
    d.y.push_back(c);
  }
  return d;
}

/// normalized_regression: 8 features uniform in [-1, 1); y = sin(3 x0) + x1 x2 - |x3| + 0.05 N(0, 1).
dataset<float> data_normalized_regression(std::mt19937_64& rng) {
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::normal_distribution<float> noise(0, 1);
  dataset<float> d;
  for (std::size_t i = 0; i < 8'000; ++i) {
    sample s = row(8);
    for (long j = 0; j < 8; ++j) s(j) = uniform(rng);
    d.x.push_back(s);
    d.y.push_back(std::sin(3 * s(0)) + s(1) * s(2) - std::abs(s(3)) + 0.05f * noise(rng));
  }
  return d;
}

// ----------------------------------------------------------------------------- training

/// One epoch: the data shuffled in place, then for each batch (the last one may be partial)
/// forward, backward and one Adam step per layer.
template <class Net, class Label>
void train_epoch(Net& net, std::vector<adam>& solvers, double learning_rate, dataset<Label>& d, std::size_t batch,
                 std::mt19937_64& rng, resizable_tensor& x) {
  for (std::size_t i = d.x.size() - 1; i > 0; --i) {
    const std::size_t j = std::uniform_int_distribution<std::size_t>(0, i)(rng);
    swap(d.x[i], d.x[j]);
    std::swap(d.y[i], d.y[j]);
  }
  for (std::size_t start = 0; start < d.x.size(); start += batch) {
    const std::size_t end = std::min(d.x.size(), start + batch);
    net.to_tensor(d.x.begin() + long(start), d.x.begin() + long(end), x);
    net.compute_parameter_gradients(x, d.y.begin() + long(start));
    net.update_parameters(solvers, learning_rate);
  }
}

/// Trains Net on the data, prints the samples per second; 1 if the parameter count is wrong.
template <class Net, class Label>
int run(const char* name, std::size_t parameters, dataset<Label> d, std::size_t batch, double learning_rate,
        double weight_decay, long epochs, std::mt19937_64& rng) {
  Net net;
  set_scales(net);
  set_dropout_rates(net);
  // PyTorch's weight decay (iris) also decays the biases; dlib's fc leaves them out by default.
  if (weight_decay > 0) visit_computational_layers(net, [](auto& l) { set_bias_weight_decay_multiplier(l, 1); });
  std::vector<adam> solvers(Net::num_computational_layers, adam(float(weight_decay), 0.9f, 0.999f));
  resizable_tensor x;

  train_epoch(net, solvers, learning_rate, d, batch, rng, x);  // warm-up; allocates the parameters
  if (count_parameters(net) != parameters) {
    std::fprintf(stderr, "dlib_peer: %s has %zu parameters, SEEDS.md says %zu\n", name, count_parameters(net),
                 parameters);
    return 1;
  }
  long timed = 0;
  double seconds = 0;
  const auto start = std::chrono::steady_clock::now();
  do {
    train_epoch(net, solvers, learning_rate, d, batch, rng, x);
    ++timed;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (epochs > 0 ? timed < epochs : seconds < min_seconds);
  std::printf("%s samples_per_second=%.6g\n", name, double(timed) * double(d.x.size()) / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = bench::parse_peer_arguments(argc, argv, "dlib_peer");
  if (!arguments) return 2;
  const std::string& graph = arguments->graph;
  const long epochs = arguments->epochs, seed = arguments->seed;
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  std::mt19937_64 rng{std::uint64_t(seed)};
  // dlib's Adam is PyTorch's form (epsilon 1e-8), used for the Keras-Adam graphs too.
  if (graph == "golden_feature")
    return run<golden_feature_net>("golden_feature", 4561, data_golden_feature(rng), 256, 0.003, 0, epochs, rng);
  if (graph == "attention_column")
    return run<attention_column_net>("attention_column", 3233, data_attention_column(rng), 64, 0.001, 0, epochs, rng);
  if (graph == "digits_attention")
    return run<digits_attention_net>("digits_attention", 109, data_digits_attention(rng), 32, 0.001, 0, epochs, rng);
  if (graph == "iris_attention")
    return run<iris_attention_net>("iris_attention", 873, data_iris(rng), 120, 0.005, 1e-3, epochs, rng);
  if (graph == "iris_linear")
    return run<iris_linear_net>("iris_linear", 333, data_iris(rng), 120, 0.005, 1e-3, epochs, rng);
  if (graph == "normalized_regression")
    return run<normalized_regression_net>("normalized_regression", 5057, data_normalized_regression(rng), 64, 0.003, 0,
                                          epochs, rng);
  if (graph == "fib_rnn" || graph == "fib_rnn_attention" || graph.starts_with("gru_") || graph.starts_with("lstm_")) {
    std::fprintf(stderr, "dlib_peer: %s: dlib has no recurrent layer\n", graph.c_str());
    return 3;
  }
  if (graph == "text_classifier") {
    std::fprintf(stderr, "dlib_peer: text_classifier: dlib 19.24 has no embedding layer\n");
    return 3;
  }
  std::fprintf(stderr, "dlib_peer: unknown graph '%s'\n", graph.c_str());
  return 3;
}
