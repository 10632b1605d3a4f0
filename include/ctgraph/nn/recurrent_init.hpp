// How a recurrent layer (SimpleRNN, GRU, LSTM) initialises its parameters, in each
// framework's style, with the kernels in Keras' layout (gates side by side in columns):
//   Keras:   kernel glorot_uniform, recurrent_kernel orthogonal, bias zeros
//            (LSTM: unit_forget_bias, ones on the forget gate's columns)
//   PyTorch: every weight and bias U(-1/sqrt(units), 1/sqrt(units)); an LSTM's one Keras
//            bias is PyTorch's bias_ih + bias_hh, so it is the sum of two such draws
#pragma once

#include "ctgraph/nn/init.hpp"

namespace ctgraph {

/// Zeros, and ones on columns [Units, 2 Units): Keras' LSTM bias with unit_forget_bias=True.
template <std::size_t Units>
struct unit_forget_bias {
  static constexpr std::string_view name = "unit_forget_bias";
  template <class Shape, class S>
  static void fill(S* p, random_engine&) {
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(i >= Units && i < 2 * Units ? 1 : 0);
  }
};

/// The sum of two U(-1/sqrt(FanIn), 1/sqrt(FanIn)) draws: PyTorch's bias_ih + bias_hh.
template <std::size_t FanIn>
struct sum_of_two_uniform {
  static constexpr std::string_view name = "sum_of_two_uniform";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    const double limit = 1.0 / std::sqrt(double(FanIn));
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(rng.uniform(-limit, limit) + rng.uniform(-limit, limit));
  }
};

template <class Init, std::size_t Units>
struct recurrent_init;
template <std::size_t Units>
struct recurrent_init<keras_init, Units> {
  using kernel = glorot_uniform;
  using recurrent_kernel = orthogonal;
  using bias = zeros;
  using lstm_bias = unit_forget_bias<Units>;
};
template <std::size_t Units>
struct recurrent_init<torch_init, Units> {
  using kernel = uniform_fan_in<Units>;
  using recurrent_kernel = uniform_fan_in<Units>;
  using bias = uniform_fan_in<Units>;
  using lstm_bias = sum_of_two_uniform<Units>;
};

}  // namespace ctgraph
