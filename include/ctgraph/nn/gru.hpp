// GRU (Keras, reset_after=True; PyTorch nn.GRU): over x [T, F], from h_{-1} = 0
//   a_t = x_t kernel + bias[0]      (all steps in one product)    kernel: [F, 3N]
//   b_t = h_{t-1} recurrent_kernel + bias[1]                      recurrent_kernel: [N, 3N]
//   z = sigmoid(a_z + b_z)   r = sigmoid(a_r + b_r)   n = tanh(a_h + r * b_h)
//   h_t = z * h_{t-1} + (1 - z) * n  = n + z * (h_{t-1} - n)      bias: [2, 3N]
// Columns are Keras' gates in Keras' order: z, r, h. The layer runs on gru_node (one product
// and one vector pass over the gates per step); gru_cell on the generic scan() is its
// definition, which tests/ops/gru_lstm_test holds it to.
//
// PyTorch's nn.GRU holds the same numbers transposed and in the order r, z, n:
//   weight_ih_l0 [3N, F] = kernel^T with column blocks (z, r, h) reordered to rows (r, z, n)
//   weight_hh_l0 [3N, N] = recurrent_kernel^T, reordered the same way
//   bias_ih_l0 = bias[0], bias_hh_l0 = bias[1], each reordered the same way
#pragma once

#include "ctgraph/nn/recurrent_init.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/columns.hpp"
#include "ctgraph/ops/gru_recurrence.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/matmul.hpp"
#include "ctgraph/ops/param.hpp"
#include "ctgraph/ops/scan.hpp"
#include "ctgraph/ops/step.hpp"
#include "ctgraph/ops/unary.hpp"

namespace ctgraph {

struct gru_kind {
  static constexpr std::string_view type_name = "GRU", prefix = "gru";
};

namespace detail {
template <std::size_t N, class Recurrent, class Bias>
struct gru_cell {
  template <class A, class H>
  constexpr auto operator()(A a, H h) const {
    const auto b = matmul(h, Recurrent{}) + step<1>(Bias{});
    const auto z = ctgraph::sigmoid(columns<0, N>(a) + columns<0, N>(b));
    const auto r = ctgraph::sigmoid(columns<N, N>(a) + columns<N, N>(b));
    const auto n = ctgraph::tanh(columns<2 * N, N>(a) + r * columns<2 * N, N>(b));
    return n + z * (h - n);
  }
};

/// OnScan: the cell on the generic scan instead of gru_node (the same numbers, slower: for the tests).
template <std::size_t Units, fixed_string Name, bool Sequences, class Init, bool OnScan = false, class X>
constexpr auto gru_layer(X x) {
  if constexpr (!check_recurrent_input<typename X::shape>::ok) {
    return x;
  } else {
    constexpr std::size_t F = X::shape::dims[1];
    using owner = std::conditional_t<Name.empty(), anonymous_owner<gru_kind, type_hash<X>(), shape<Units>, Init>,
                                     named_owner<Name>>;
    using init = recurrent_init<Init, Units>;
    using kernel = param_node<owner, "kernel", shape<F, 3 * Units>, typename init::kernel>;
    using recurrent = param_node<owner, "recurrent_kernel", shape<Units, 3 * Units>, typename init::recurrent_kernel>;
    using bias = param_node<owner, "bias", shape<2, 3 * Units>, typename init::bias>;
    constexpr auto projected = matmul(x, kernel{});  // every step's x_t kernel at once
    constexpr auto inputs = projected + step<0>(bias{});
    constexpr auto h = [=] {
      if constexpr (!OnScan)  // adds both biases itself: a broadcast add over [T, 3N] cost as much as the gates
        return gru_node<std::remove_const_t<decltype(projected)>, recurrent, bias, Sequences>{};
      else if constexpr (Sequences)
        return scan<shape<Units>>(inputs, gru_cell<Units, recurrent, bias>{}, return_sequences);
      else
        return scan<shape<Units>>(inputs, gru_cell<Units, recurrent, bias>{});
    }();
    return layer_node<gru_kind, owner, std::remove_const_t<decltype(h)>>{};
  }
}
}  // namespace detail

/// A GRU layer returning its last state [Units]; `torch_init{}` for PyTorch's initialisation.
template <std::size_t Units, fixed_string Name = "", node X, class Init = keras_init>
  requires(!std::is_same_v<Init, return_sequences_t>)
constexpr auto gru(X x, Init = {}) {
  return detail::gru_layer<Units, Name, false, Init>(x);
}

/// A GRU layer returning every step's state [T, Units].
template <std::size_t Units, fixed_string Name = "", node X, class Init = keras_init>
constexpr auto gru(X x, return_sequences_t, Init = {}) {
  return detail::gru_layer<Units, Name, true, Init>(x);
}

}  // namespace ctgraph
