// SimpleRNN (Keras): h_t = tanh(x_t kernel + h_{t-1} recurrent_kernel + bias) over a sequence
//   x: [T, F]   kernel: [F, N] glorot_uniform   recurrent_kernel: [N, N] orthogonal   bias: [N] zeros
// Returns the last state [N], or every state [T, N] with `return_sequences`.
#pragma once

#include "ctgraph/nn/init.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/param.hpp"
#include "ctgraph/ops/scan.hpp"
#include "ctgraph/ops/simple_rnn.hpp"
#include "ctgraph/ops/step.hpp"

namespace ctgraph {

struct simple_rnn_kind {
  static constexpr std::string_view type_name = "SimpleRNN", prefix = "simple_rnn";
};

namespace detail {
template <class Shape>
struct check_sequence_input {
  static_assert(Shape::rank == 2, "ctgraph: simple_rnn<units>(x): x must be a sequence [steps, features] per sample");
  static constexpr bool ok = Shape::rank == 2;
};

template <std::size_t Units, fixed_string Name, bool Sequences, class X>
constexpr auto simple_rnn_layer(X x) {
  if constexpr (!check_sequence_input<typename X::shape>::ok) {
    return x;
  } else {
    constexpr std::size_t F = X::shape::dims[1];
    using owner = std::conditional_t<Name.empty(), anonymous_owner<simple_rnn_kind, type_hash<X>(), shape<Units>>,
                                     named_owner<Name>>;
    using states = simple_rnn_node<X, param_node<owner, "kernel", shape<F, Units>, glorot_uniform>,
                                   param_node<owner, "recurrent_kernel", shape<Units, Units>, orthogonal>,
                                   param_node<owner, "bias", shape<Units>, zeros>>;
    if constexpr (Sequences)
      return layer_node<simple_rnn_kind, owner, states>{};
    else
      return layer_node<simple_rnn_kind, owner, decltype(last_step(states{}))>{};
  }
}
}  // namespace detail

/// A SimpleRNN layer returning its last state [Units].
template <std::size_t Units, fixed_string Name = "", node X>
constexpr auto simple_rnn(X x) {
  return detail::simple_rnn_layer<Units, Name, false>(x);
}

/// A SimpleRNN layer returning every step's state [T, Units].
template <std::size_t Units, fixed_string Name = "", node X>
constexpr auto simple_rnn(X x, return_sequences_t) {
  return detail::simple_rnn_layer<Units, Name, true>(x);
}

}  // namespace ctgraph
