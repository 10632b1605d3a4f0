// libtorch (PyTorch's C++ API) peer of ctgraph's speed comparison (README.md beside this file).
//   libtorch_peer GRAPH [--epochs E] [--seed S]
// Builds GRAPH from torch::nn modules with the seed's loss and optimizer, generates the seed's
// training data, trains one untimed warm-up epoch and then E timed epochs (by default as many
// as take at least one second), one thread, and prints "GRAPH samples_per_second=<n>".
// Exit 3 for a graph it does not know, 2 for a bad command line.
#include "../protocol.hpp"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr double min_seconds = 1.0;  // the default number of timed epochs is the least that takes this long
constexpr int fib_steps = 20, fib_length = 1200, fib_train = 826;

using namespace torch;

/// nn.Linear initialised as Keras' Dense: glorot_uniform kernel, zero bias.
nn::Linear keras_dense(int64_t in, int64_t out) {
  nn::Linear layer(in, out);
  NoGradGuard no_grad;
  nn::init::xavier_uniform_(layer->weight);
  nn::init::zeros_(layer->bias);
  return layer;
}

/// Keras' SimpleRNN(units) over (rows, T, 1): h_t = tanh(x_t W + h_{t-1} U + b), h_0 = 0.
/// nn::RNN with its second bias held at zero, so that the trainable parameters are Keras' count.
nn::RNN keras_simple_rnn(int64_t units) {
  nn::RNN rnn(nn::RNNOptions(1, units).nonlinearity(kTanh).batch_first(true));
  NoGradGuard no_grad;
  nn::init::xavier_uniform_(rnn->named_parameters()["weight_ih_l0"]);
  nn::init::orthogonal_(rnn->named_parameters()["weight_hh_l0"]);
  nn::init::zeros_(rnn->named_parameters()["bias_ih_l0"]);
  nn::init::zeros_(rnn->named_parameters()["bias_hh_l0"]);
  rnn->named_parameters()["bias_hh_l0"].set_requires_grad(false);
  return rnn;
}

/// What every network is to the training loop: forward, and its trainable parameters.
struct network : nn::Module {
  virtual Tensor forward(const Tensor& x) = 0;
  std::vector<Tensor> trainable() {
    std::vector<Tensor> out;
    for (auto& p : parameters())
      if (p.requires_grad()) out.push_back(p);
    return out;
  }
};

/// p = softmax(Dense 20 (x)); m = x * p; Dense 100; Dense 20; Dense 1 (the sigmoid is in the loss).
struct golden_feature : network {
  nn::Linear attention_vec = register_module("attention_vec", keras_dense(20, 20));
  nn::Linear dense_1 = register_module("dense_1", keras_dense(20, 100));
  nn::Linear dense_2 = register_module("dense_2", keras_dense(100, 20));
  nn::Linear dense_3 = register_module("dense_3", keras_dense(20, 1));
  Tensor forward(const Tensor& x) override {
    const auto m = x * torch::softmax(attention_vec(x), 1);
    return dense_3(dense_2(dense_1(m)));
  }
};

/// p = softmax(Dense 32 (x)); m = x * p; Dense 64; Dense 1 (the sigmoid is in the loss).
struct attention_column : network {
  nn::Linear attention_vec = register_module("attention_vec", keras_dense(32, 32));
  nn::Linear dense_1 = register_module("dense_1", keras_dense(32, 64));
  nn::Linear dense_2 = register_module("dense_2", keras_dense(64, 1));
  Tensor forward(const Tensor& x) override {
    const auto m = x * torch::softmax(attention_vec(x), 1);
    return dense_2(dense_1(m));
  }
};

/// a = relu(Dense 6 (x)); m = x * a; relu(Dense 6); relu(Dense 3); Dense 1.
struct digits_attention : network {
  nn::Linear dense_1 = register_module("dense_1", keras_dense(6, 6));
  nn::Linear dense_2 = register_module("dense_2", keras_dense(6, 6));
  nn::Linear dense_3 = register_module("dense_3", keras_dense(6, 3));
  nn::Linear dense_4 = register_module("dense_4", keras_dense(3, 1));
  Tensor forward(const Tensor& x) override {
    const auto m = x * torch::relu(dense_1(x));
    return dense_4(torch::relu(dense_3(torch::relu(dense_2(m)))));
  }
};

/// SimpleRNN(2) over 20 steps; the last state -> Dense 1, tanh.
struct fib_rnn : network {
  nn::RNN rnn = register_module("rnn", keras_simple_rnn(2));
  nn::Linear dense = register_module("dense", keras_dense(2, 1));
  Tensor forward(const Tensor& x) override {
    const auto h = std::get<0>(rnn(x.unsqueeze(2)));
    return torch::tanh(dense(h.select(1, fib_steps - 1)));
  }
};

/// SimpleRNN(2) states H (20 x 2); e = tanh(H W + b); alpha = softmax over the steps;
/// context = sum_t alpha_t h_t -> Dense 1, tanh.
struct fib_rnn_attention : network {
  nn::RNN rnn = register_module("rnn", keras_simple_rnn(2));
  nn::Linear dense = register_module("dense", keras_dense(2, 1));
  Tensor attention_w = register_parameter("attention_w", torch::randn({2, 1}) * 0.05);
  Tensor attention_b = register_parameter("attention_b", torch::zeros({fib_steps, 1}));
  Tensor forward(const Tensor& x) override {
    const auto h = std::get<0>(rnn(x.unsqueeze(2)));  // (rows, 20, 2)
    const auto alpha = torch::softmax(torch::tanh(torch::matmul(h, attention_w) + attention_b), 1);
    return torch::tanh(dense((alpha * h).sum(1)));
  }
};

/// iris' layer: k, q, v = Linear(x); att = softmax((k * q) / sqrt(out)); relu(att * v).
struct atten : nn::Module {
  nn::Linear k, q, v;
  double scale;
  atten(int64_t in, int64_t out)
      : k(register_module("k", nn::Linear(in, out))),
        q(register_module("q", nn::Linear(in, out))),
        v(register_module("v", nn::Linear(in, out))),
        scale(1.0 / std::sqrt(double(out))) {}
  Tensor forward(const Tensor& x) {
    const auto att = torch::softmax(k(x) * q(x) * scale, 1);
    return torch::relu(att * v(x));
  }
};

/// Atten(4 -> 10), Atten(10 -> 20), Linear(20 -> 3), sigmoid.
struct iris_attention : network {
  std::shared_ptr<atten> atten_1 = register_module("atten_1", std::make_shared<atten>(4, 10));
  std::shared_ptr<atten> atten_2 = register_module("atten_2", std::make_shared<atten>(10, 20));
  nn::Linear linear = register_module("linear", nn::Linear(20, 3));
  Tensor forward(const Tensor& x) override { return torch::sigmoid(linear(atten_2->forward(atten_1->forward(x)))); }
};

/// Linear 4->10, relu, Linear 10->20, relu, Linear 20->3, sigmoid.
struct iris_linear : network {
  nn::Linear layer_1 = register_module("layer_1", nn::Linear(4, 10));
  nn::Linear layer_2 = register_module("layer_2", nn::Linear(10, 20));
  nn::Linear layer_3 = register_module("layer_3", nn::Linear(20, 3));
  Tensor forward(const Tensor& x) override {
    return torch::sigmoid(layer_3(torch::relu(layer_2(torch::relu(layer_1(x))))));
  }
};

/// examples/text_classifier: Embedding(40, 16) of 24 ids; Conv1d(16 -> 32, kernel 2), relu; max
/// over the positions; Dense 32, relu; Dense 3 (the softmax is in the loss).
struct text_classifier : network {
  nn::Embedding embedding = register_module("embedding", nn::Embedding(40, 16));
  nn::Conv1d conv = register_module("conv", nn::Conv1d(nn::Conv1dOptions(16, 32, 2)));
  nn::Linear dense_1 = register_module("dense_1", keras_dense(32, 32));
  nn::Linear dense_2 = register_module("dense_2", keras_dense(32, 3));
  Tensor forward(const Tensor& ids) override {
    const auto e = embedding(ids).transpose(1, 2);  // (rows, 16, 24): channels first, as Conv1d takes them
    const auto h = std::get<0>(torch::relu(conv(e)).max(2));
    return dense_2(torch::relu(dense_1(h)));
  }
};

/// examples/normalized_regression: two blocks of Dense 64, gelu, LayerNorm, Dropout(0.1); Dense 1.
struct normalized_regression : network {
  nn::Sequential block_1 = register_module(
      "block_1", nn::Sequential(keras_dense(8, 64), nn::GELU(), nn::LayerNorm(nn::LayerNormOptions({64})), nn::Dropout(0.1)));
  nn::Sequential block_2 = register_module(
      "block_2", nn::Sequential(keras_dense(64, 64), nn::GELU(), nn::LayerNorm(nn::LayerNormOptions({64})), nn::Dropout(0.1)));
  nn::Linear dense = register_module("dense", keras_dense(64, 1));
  Tensor forward(const Tensor& x) override { return dense(block_2->forward(block_1->forward(x))); }
};

/// nn::GRU(1 -> Units) over (rows, T, 1); the last state -> Dense 1. Its two biases are Keras'
/// reset_after form.
template <int64_t Units>
struct gru_net : network {
  nn::GRU rnn = register_module("rnn", nn::GRU(nn::GRUOptions(1, Units).batch_first(true)));
  nn::Linear dense = register_module("dense", keras_dense(Units, 1));
  Tensor forward(const Tensor& x) override { return dense(std::get<0>(rnn(x.unsqueeze(2))).select(1, x.size(1) - 1)); }
};

/// nn::LSTM(1 -> Units), its second bias (Keras has one) held at zero and not trained, so that
/// the trainable count is Keras'; the last state -> Dense 1.
template <int64_t Units>
struct lstm_net : network {
  nn::LSTM rnn = register_module("rnn", nn::LSTM(nn::LSTMOptions(1, Units).batch_first(true)));
  nn::Linear dense = register_module("dense", keras_dense(Units, 1));
  lstm_net() {
    NoGradGuard no_grad;
    nn::init::zeros_(rnn->named_parameters()["bias_hh_l0"]);
    rnn->named_parameters()["bias_hh_l0"].set_requires_grad(false);
  }
  Tensor forward(const Tensor& x) override { return dense(std::get<0>(rnn(x.unsqueeze(2))).select(1, x.size(1) - 1)); }
};

// ----------------------------------------------------------------------------- data

struct dataset {
  Tensor x, y;
};

dataset data_golden_feature() {
  const int64_t n = 90'000;  // 100,000 less the 10% held out
  auto y = torch::randint(0, 2, {n, 1}).to(kFloat);
  auto x = torch::rand({n, 20});
  x.select(1, 4).copy_(y.select(1, 0) + torch::rand({1}).item<float>() / 500.0f);
  return {x, y};
}

dataset data_attention_column() {
  const int64_t n = 5'000;  // 10,000 less the half held out
  auto x = torch::randn({n, 32});
  auto y = torch::randint(0, 2, {n, 1}).to(kFloat);
  x.select(1, 1).copy_(y.select(1, 0));
  return {x, y};
}

dataset data_digits_attention() {
  const auto d = torch::randint(0, 10, {300'000, 6}, kLong);
  const auto a = d.select(1, 0) * 100 + d.select(1, 1) * 10 + d.select(1, 2);
  const auto b = d.select(1, 3) * 100 + d.select(1, 4) * 10 + d.select(1, 5);
  return {d.to(kFloat) / 10.0, ((a - b).abs().to(kFloat) / 1000.0).unsqueeze(1)};
}

/// The min-max scaled sequence in double, its 1180 windows, shuffled, the first 826.
dataset data_fib() {
  std::vector<double> seq(fib_length);
  double a = 0, b = 1;
  for (double& v : seq) {
    v = a + b;
    a = b;
    b = v;
  }
  auto s = torch::tensor(seq, kDouble);
  s = (s - seq.front()) / (seq.back() - seq.front());
  const auto windows = s.unfold(0, fib_steps, 1).slice(0, 0, fib_length - fib_steps);
  const auto targets = s.slice(0, fib_steps).unsqueeze(1);
  const auto order = torch::randperm(fib_length - fib_steps, kLong).slice(0, 0, fib_train);
  return {windows.index_select(0, order).to(kFloat).contiguous(), targets.index_select(0, order).to(kFloat)};
}

/// 120 Iris-like rows: three classes around the species' means.
dataset data_iris() {
  const auto means = torch::tensor({5.0f, 3.4f, 1.5f, 0.25f, 5.9f, 2.8f, 4.3f, 1.3f, 6.6f, 3.0f, 5.6f, 2.0f}).view({3, 4});
  const auto c = torch::randint(0, 3, {120}, kLong);
  return {means.index_select(0, c) + 0.3 * torch::randn({120, 4}), c};
}

/// 6,000 sentences of 24 ids, as examples/text_classifier makes them: fillers 6..39, three stray
/// words < 6 alone, one phrase of two words of the label's class.
dataset data_text_classifier() {
  const int64_t n = 6'000, length = 24;
  constexpr int phrases[3][2][2] = {{{0, 1}, {2, 3}}, {{1, 0}, {3, 4}}, {{4, 5}, {5, 2}}};
  auto ids = torch::randint(6, 40, {n, length}, kLong);
  const auto labels = torch::randint(0, 3, {n}, kLong);
  const auto stray = torch::randint(0, length / 3, {n, 3}, kLong) * 3;
  const auto stray_words = torch::randint(0, 6, {n, 3}, kLong);
  const auto which = torch::randint(0, 2, {n}, kLong);
  const auto at = 1 + 3 * torch::randint(0, length / 3 - 1, {n}, kLong);
  auto id = ids.accessor<int64_t, 2>();
  const auto label = labels.accessor<int64_t, 1>(), w = which.accessor<int64_t, 1>(), a = at.accessor<int64_t, 1>();
  const auto s = stray.accessor<int64_t, 2>(), sw = stray_words.accessor<int64_t, 2>();
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 3; ++k) id[i][s[i][k]] = sw[i][k];
    id[i][a[i]] = phrases[label[i]][w[i]][0];
    id[i][a[i] + 1] = phrases[label[i]][w[i]][1];
  }
  return {ids, labels};
}

/// 8,000 rows of 8 features uniform in [-1, 1); y = sin(3 x0) + x1 x2 - |x3| + 0.05 N(0, 1).
dataset data_normalized_regression() {
  const auto x = torch::rand({8'000, 8}) * 2 - 1;
  const auto y = torch::sin(3 * x.select(1, 0)) + x.select(1, 1) * x.select(1, 2) - x.select(1, 3).abs() +
                 0.05 * torch::randn({8'000});
  return {x, y.unsqueeze(1)};
}

/// benchmarks/graphs.hpp's sine_windows: window i is steps 3 i .. 3 i + T - 1 of
/// sin(0.07 t) + 0.5 sin(0.23 t), its target the next step.
template <int64_t Samples, int64_t Steps>
dataset sine_windows() {
  const auto t = (3 * torch::arange(Samples, kDouble)).unsqueeze(1) + torch::arange(Steps + 1, kDouble);
  const auto s = (torch::sin(0.07 * t) + 0.5 * torch::sin(0.23 * t)).to(kFloat);
  return {s.slice(1, 0, Steps).contiguous(), s.slice(1, Steps).contiguous()};
}

// ----------------------------------------------------------------------------- the graphs

using loss_function = std::function<Tensor(const Tensor&, const Tensor&)>;

Tensor bce_from_logit(const Tensor& logit, const Tensor& y) {
  return torch::binary_cross_entropy_with_logits(logit, y);  // softplus(z) - y z, as tf.keras
}
Tensor mse(const Tensor& out, const Tensor& y) { return torch::mse_loss(out, y); }
Tensor cross_entropy(const Tensor& logits, const Tensor& y) { return torch::nn::functional::cross_entropy(logits, y); }
Tensor cross_entropy_on_sigmoid(const Tensor& out, const Tensor& y) {
  return torch::nn::functional::cross_entropy(out, y);  // the sigmoid outputs taken as logits
}

struct spec {
  const char* name;
  std::function<std::shared_ptr<network>()> make;
  int64_t parameters;
  std::function<dataset()> data;
  int64_t batch;
  loss_function loss;
  double learning_rate, epsilon, weight_decay;
};

template <class Net>
std::shared_ptr<network> make() {
  return std::make_shared<Net>();
}

// Keras' Adam is approximated by torch's (epsilon after the bias correction) with Keras' epsilon.
const spec specs[] = {
    {"golden_feature", make<golden_feature>, 4561, data_golden_feature, 256, bce_from_logit, 0.003, 1e-7, 0},
    {"attention_column", make<attention_column>, 3233, data_attention_column, 64, bce_from_logit, 0.001, 1e-7, 0},
    {"digits_attention", make<digits_attention>, 109, data_digits_attention, 32, mse, 0.001, 1e-7, 0},
    {"fib_rnn", make<fib_rnn>, 11, data_fib, 1, mse, 0.001, 1e-7, 0},
    {"fib_rnn_attention", make<fib_rnn_attention>, 33, data_fib, 1, mse, 0.001, 1e-7, 0},
    {"iris_attention", make<iris_attention>, 873, data_iris, 120, cross_entropy_on_sigmoid, 0.005, 1e-8, 1e-3},
    {"iris_linear", make<iris_linear>, 333, data_iris, 120, cross_entropy_on_sigmoid, 0.005, 1e-8, 1e-3},
    {"text_classifier", make<text_classifier>, 2851, data_text_classifier, 64, cross_entropy, 0.003, 1e-7, 0},
    {"normalized_regression", make<normalized_regression>, 5057, data_normalized_regression, 64, mse, 0.003, 1e-7, 0},
    // issue 9's recurrent nets: batch 1 over 1,000 windows of 20 steps, batch 32 over 8,000 of 50
    {"gru_16_t20", make<gru_net<16>>, 929, sine_windows<1'000, 20>, 1, mse, 0.001, 1e-7, 0},
    {"lstm_16_t20", make<lstm_net<16>>, 1169, sine_windows<1'000, 20>, 1, mse, 0.001, 1e-7, 0},
    {"gru_32_t50", make<gru_net<32>>, 3393, sine_windows<8'000, 50>, 32, mse, 0.001, 1e-7, 0},
    {"lstm_32_t50", make<lstm_net<32>>, 4385, sine_windows<8'000, 50>, 32, mse, 0.001, 1e-7, 0},
};

/// One epoch over the data, shuffled, in batches (the last one may be partial).
void train_epoch(network& net, const loss_function& loss, optim::Optimizer& opt, const dataset& d, int64_t batch) {
  const int64_t n = d.x.size(0);
  const auto order = torch::randperm(n, kLong);
  const auto xs = d.x.index_select(0, order), ys = d.y.index_select(0, order);
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t end = std::min(n, start + batch);
    opt.zero_grad();
    loss(net.forward(xs.slice(0, start, end)), ys.slice(0, start, end)).backward();
    opt.step();
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto arguments = bench::parse_peer_arguments(argc, argv, "libtorch_peer");
  if (!arguments) return 2;
  const std::string& graph = arguments->graph;
  const long epochs = arguments->epochs, seed = arguments->seed;
  const spec* s = nullptr;
  for (const auto& candidate : specs)
    if (graph == candidate.name) s = &candidate;
  if (!s) {
    std::fprintf(stderr, "libtorch_peer: unknown graph '%s'\n", graph.c_str());
    return 3;
  }

  at::set_num_threads(1);
  at::set_num_interop_threads(1);
  torch::manual_seed(uint64_t(seed));

  auto net = s->make();
  auto trainable = net->trainable();
  int64_t count = 0;
  for (const auto& p : trainable) count += p.numel();
  if (count != s->parameters) {
    std::fprintf(stderr, "libtorch_peer: %s has %ld parameters, SEEDS.md says %ld\n", s->name, long(count),
                 long(s->parameters));
    return 1;
  }
  optim::Adam opt(trainable, optim::AdamOptions(s->learning_rate).eps(s->epsilon).weight_decay(s->weight_decay));
  const auto data = s->data();
  const int64_t n = data.x.size(0);

  train_epoch(*net, s->loss, opt, data, s->batch);  // warm-up
  long timed = 0;
  double seconds = 0;
  const auto start = std::chrono::steady_clock::now();
  do {
    train_epoch(*net, s->loss, opt, data, s->batch);
    ++timed;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (epochs > 0 ? timed < epochs : seconds < min_seconds);
  std::printf("%s samples_per_second=%.6g\n", s->name, double(timed * n) / seconds);
  return 0;
}
