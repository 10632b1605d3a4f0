// LSTM (Keras, unit_forget_bias=True; PyTorch nn.LSTM): over x [T, F], from h_{-1} = c_{-1} = 0
//   a_t = x_t kernel + bias        (all steps in one product)     kernel: [F, 4N]   bias: [4N]
//   z = a_t + h_{t-1} recurrent_kernel                            recurrent_kernel: [N, 4N]
//   i = sigmoid(z_i)   f = sigmoid(z_f)   g = tanh(z_c)   o = sigmoid(z_o)
//   c_t = f * c_{t-1} + i * g      h_t = o * tanh(c_t)            the state is the pair (h, c)
// Columns are Keras' gates in Keras' order: i, f, c, o. The layer runs on lstm_node (one
// product and one vector pass over the gates per step); lstm_cell on the generic scan() is
// its definition, which tests/ops/gru_lstm_test holds it to.
//
// PyTorch's nn.LSTM holds the same numbers transposed, in the order i, f, g, o (the same
// order; Keras' c is PyTorch's g), with two biases:
//   weight_ih_l0 [4N, F] = kernel^T    weight_hh_l0 [4N, N] = recurrent_kernel^T
//   bias_ih_l0 + bias_hh_l0 = bias     (into PyTorch: bias_ih_l0 = bias, bias_hh_l0 = 0)
#pragma once

#include "ctgraph/nn/recurrent_init.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/columns.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/lstm_recurrence.hpp"
#include "ctgraph/ops/matmul.hpp"
#include "ctgraph/ops/param.hpp"
#include "ctgraph/ops/scan.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph {

struct lstm_kind {
  static constexpr std::string_view type_name = "LSTM", prefix = "lstm";
};

namespace detail {
template <std::size_t N, class Recurrent>
struct lstm_cell {
  template <class A, class H, class C>
  constexpr auto operator()(A a, H h, C c) const {
    const auto z = a + matmul(h, Recurrent{});
    const auto i = ctgraph::sigmoid(columns<0, N>(z));
    const auto f = ctgraph::sigmoid(columns<N, N>(z));
    const auto g = ctgraph::tanh(columns<2 * N, N>(z));
    const auto o = ctgraph::sigmoid(columns<3 * N, N>(z));
    const auto c_next = f * c + i * g;
    return states(o * ctgraph::tanh(c_next), c_next);
  }
};

/// OnScan: the cell on the generic scan instead of lstm_node (the same numbers, slower: for the tests).
template <std::size_t Units, fixed_string Name, bool Sequences, class Init, bool OnScan = false, class X>
constexpr auto lstm_layer(X x) {
  if constexpr (!check_recurrent_input<typename X::shape>::ok) {
    return x;
  } else {
    constexpr std::size_t F = X::shape::dims[1];
    using owner = std::conditional_t<Name.empty(), anonymous_owner<lstm_kind, type_hash<X>(), shape<Units>, Init>,
                                     named_owner<Name>>;
    using init = recurrent_init<Init, Units>;
    using kernel = param_node<owner, "kernel", shape<F, 4 * Units>, typename init::kernel>;
    using recurrent = param_node<owner, "recurrent_kernel", shape<Units, 4 * Units>, typename init::recurrent_kernel>;
    using bias = param_node<owner, "bias", shape<4 * Units>, typename init::lstm_bias>;
    constexpr auto inputs = matmul(x, kernel{}) + bias{};  // every step's x_t kernel + bias at once (one affine node)
    constexpr auto h = [=] {
      if constexpr (!OnScan)
        return lstm_node<std::remove_const_t<decltype(inputs)>, recurrent, Sequences>{};
      else if constexpr (Sequences)
        return scan<shape<Units>, shape<Units>>(inputs, lstm_cell<Units, recurrent>{}, return_sequences);
      else
        return scan<shape<Units>, shape<Units>>(inputs, lstm_cell<Units, recurrent>{});
    }();
    return layer_node<lstm_kind, owner, std::remove_const_t<decltype(h)>>{};
  }
}
}  // namespace detail

/// An LSTM layer returning its last h [Units]; `torch_init{}` for PyTorch's initialisation.
template <std::size_t Units, fixed_string Name = "", node X, class Init = keras_init>
  requires(!std::is_same_v<Init, return_sequences_t>)
constexpr auto lstm(X x, Init = {}) {
  return detail::lstm_layer<Units, Name, false, Init>(x);
}

/// An LSTM layer returning every step's h [T, Units].
template <std::size_t Units, fixed_string Name = "", node X, class Init = keras_init>
constexpr auto lstm(X x, return_sequences_t, Init = {}) {
  return detail::lstm_layer<Units, Name, true, Init>(x);
}

}  // namespace ctgraph
