// torch.nn.GRU and torch.nn.LSTM against ctgraph's gru and lstm (Keras' layout, converted by
// parity.py in both directions): one layer and two stacked, batch 1 and 16, hidden 8 and 32,
// T = 20, 3 features, a Dense head, MSE, Keras Adam; loss, every gradient, 10 steps.
#include "parity/parity_common.hpp"

using namespace parity;

namespace {
constexpr auto sequence = ctgraph::input<20, 3>;

template <std::size_t Hidden>
using gru_1 = std::remove_const_t<decltype(ctgraph::dense<1, "dense">(ctgraph::gru<Hidden, "gru_l0">(sequence)))>;
template <std::size_t Hidden>
using gru_2 = std::remove_const_t<decltype(ctgraph::dense<1, "dense">(
    ctgraph::gru<Hidden, "gru_l1">(ctgraph::gru<Hidden, "gru_l0">(sequence, ctgraph::return_sequences))))>;
template <std::size_t Hidden>
using lstm_1 = std::remove_const_t<decltype(ctgraph::dense<1, "dense">(ctgraph::lstm<Hidden, "lstm_l0">(sequence)))>;
template <std::size_t Hidden>
using lstm_2 = std::remove_const_t<decltype(ctgraph::dense<1, "dense">(
    ctgraph::lstm<Hidden, "lstm_l1">(ctgraph::lstm<Hidden, "lstm_l0">(sequence, ctgraph::return_sequences))))>;

template <class Graph, std::size_t Batch>
void both_scalars(const std::string& name) {
  check_case<Graph, Batch, float>(name, ctgraph::mean_squared_error{}, ctgraph::keras_adam(0.003));
  check_case<Graph, Batch, double>(name, ctgraph::mean_squared_error{}, ctgraph::keras_adam(0.003));
}

/// Sine waves: 3 features per step (sin, cos, noise), the target the next sine value.
ctgraph::dataset<float> waves(std::size_t n, std::uint64_t seed) {
  ctgraph::random_engine rng(seed);
  ctgraph::dataset<float> d{xt::xtensor<float, 2>({n, 60}), xt::xtensor<float, 2>({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    const double f = rng.uniform(0.1, 0.5), phase = rng.uniform(0.0, 6.28);
    for (std::size_t t = 0; t < 20; ++t) {
      d.x(i, 3 * t) = float(std::sin(f * double(t) + phase));
      d.x(i, 3 * t + 1) = float(std::cos(f * double(t) + phase));
      d.x(i, 3 * t + 2) = float(rng.uniform(-0.3, 0.3));
    }
    d.y(i, 0) = float(std::sin(f * 20.0 + phase));
  }
  return d;
}
}  // namespace

TEST_CASE("parity: gru equals torch.nn.GRU: one layer and two, batch 1 and 16, hidden 8 and 32") {
  both_scalars<gru_1<8>, 1>("gru_1x8_b1");
  both_scalars<gru_1<32>, 16>("gru_1x32_b16");
  both_scalars<gru_2<32>, 1>("gru_2x32_b1");
  both_scalars<gru_2<8>, 16>("gru_2x8_b16");
}

TEST_CASE("parity: lstm equals torch.nn.LSTM: one layer and two, batch 1 and 16, hidden 8 and 32") {
  both_scalars<lstm_1<8>, 1>("lstm_1x8_b1");
  both_scalars<lstm_1<32>, 16>("lstm_1x32_b16");
  both_scalars<lstm_2<32>, 1>("lstm_2x32_b1");
  both_scalars<lstm_2<8>, 16>("lstm_2x8_b16");
}

TEST_CASE("parity: a gru and an lstm trained by ctgraph predict the same in torch.nn.GRU and nn.LSTM") {
  const auto train = waves(300, 1), test = waves(100, 2);
  check_predictions<gru_2<8>, 16>("gru_2x8_b16", ctgraph::mean_squared_error{}, ctgraph::keras_adam(0.003), train, test, 3);
  check_predictions<lstm_2<8>, 16>("lstm_2x8_b16", ctgraph::mean_squared_error{}, ctgraph::keras_adam(0.003), train,
                                   test, 3);
}
