// fib_rnn_attention (SEEDS.md, network 2): the next value of a scaled Fibonacci
// sequence from the 20 before it, by a SimpleRNN alone and with temporal attention.
//   baseline:  SimpleRNN(2) -> last state -> Dense 1, tanh                      11 parameters
//   attention: SimpleRNN(2) -> states H [20, 2]; e = tanh(H W + b); alpha = softmax over
//              the steps; context = sum_t alpha_t h_t -> Dense 1, tanh        33 parameters
//   and both again with GRU(2) (33 and 55 parameters) and LSTM(2) (35 and 57) in place of SimpleRNN
#pragma once

#include <cstdint>
#include <numeric>

#include <ctgraph/ctgraph.hpp>

namespace fib_rnn_attention {

using namespace ctgraph;

inline constexpr std::size_t steps = 20;
inline constexpr std::size_t sequence_length = 1200;

struct temporal_attention_kind {
  static constexpr std::string_view type_name = "Attention", prefix = "attention";
};

/// The tutorial's attention layer, written as a user's layer function: W [units, 1]
/// random normal, b [steps, 1] zeros. Returns the weights alpha [steps, 1] as the layer
/// (so that probe<Name> reads them) and the context sum_t alpha_t h_t [units].
template <fixed_string Name, node States>
constexpr auto temporal_attention(States h) {
  constexpr std::size_t T = States::shape::dims[0], units = States::shape::dims[1];
  constexpr auto w = param<Name, "W", shape<units, 1>>(random_normal<0.05>{});
  constexpr auto b = param<Name, "b", shape<T, 1>>(zeros{});
  constexpr auto alpha = named_layer<Name, temporal_attention_kind>(softmax<0>(ctgraph::tanh(matmul(h, w) + b)));
  return sum<0>(alpha * h);
}

inline constexpr auto x = input<steps, 1>;
inline constexpr auto baseline = dense<1, "dense">(simple_rnn<2, "rnn">(x), activation::tanh);
inline constexpr auto with_attention =
    dense<1, "dense">(temporal_attention<"attention">(simple_rnn<2, "rnn">(x, return_sequences)), activation::tanh);
using baseline_type = decltype(baseline);
using attention_type = decltype(with_attention);

// The same two nets with a GRU(2) or an LSTM(2) in place of the SimpleRNN (--model gru, ...).
inline constexpr auto gru_baseline = dense<1, "dense">(gru<2, "gru">(x), activation::tanh);
inline constexpr auto gru_with_attention =
    dense<1, "dense">(temporal_attention<"attention">(gru<2, "gru">(x, return_sequences)), activation::tanh);
inline constexpr auto lstm_baseline = dense<1, "dense">(lstm<2, "lstm">(x), activation::tanh);
inline constexpr auto lstm_with_attention =
    dense<1, "dense">(temporal_attention<"attention">(lstm<2, "lstm">(x, return_sequences)), activation::tanh);
using gru_baseline_type = decltype(gru_baseline);
using gru_attention_type = decltype(gru_with_attention);
using lstm_baseline_type = decltype(lstm_baseline);
using lstm_attention_type = decltype(lstm_with_attention);

/// The tutorial's training settings: batch 1, 30 epochs, Adam (Keras defaults), MSE.
inline constexpr std::size_t batch = 1;
inline constexpr std::size_t epochs = 30;
inline constexpr double train_fraction = 0.7;

/// seq[i] = a + b; a <- b; b <- seq[i], from a = 0, b = 1 (1, 2, 3, 5, ...), in double,
/// min-max scaled to [0, 1]; then windows of 20 values with the next one as target.
inline dataset<float> make_windows() {
  std::vector<double> seq(sequence_length);
  double a = 0, b = 1;
  for (double& v : seq) {
    v = a + b;
    a = b;
    b = v;
  }
  const double low = seq.front(), high = seq.back();
  for (double& v : seq) v = (v - low) / (high - low);
  const std::size_t n = sequence_length - steps;
  dataset<float> d{xt::xtensor<float, 2>({n, steps}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t t = 0; t < steps; ++t) d.x(i, t) = float(seq[i + t]);
    d.y(i, 0) = float(seq[i + steps]);
  }
  return d;
}

/// The windows shuffled with `seed`, then split 70/30 into train (826) and test (354).
inline std::pair<dataset<float>, dataset<float>> make_split(std::uint64_t seed) {
  const auto all = shuffled(make_windows(), seed);
  const auto train_size = std::size_t(double(all.size()) * train_fraction);
  return {rows(all, 0, train_size), rows(all, train_size, all.size())};
}

}  // namespace fib_rnn_attention
