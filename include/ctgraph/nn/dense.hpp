// Dense (Keras) / Linear (PyTorch): y = activation(x kernel + bias)
//   x: [In]   kernel: [In, Out]   bias: [Out]   y: [Out]
// A layer function: it only composes primitives. The fusion pass turns the
// composition into one affine node with bias and activation in the epilogue.
#pragma once

#include "ctgraph/nn/activation.hpp"
#include "ctgraph/nn/init.hpp"
#include "ctgraph/ops/binary.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/matmul.hpp"
#include "ctgraph/ops/param.hpp"

namespace ctgraph {

struct dense_kind {
  static constexpr std::string_view type_name = "Dense", prefix = "dense";
};

namespace detail {
template <class Shape>
struct check_dense_input {
  static_assert(Shape::rank == 1,
                "ctgraph: dense<units>(x): x must be a vector per sample (rank 1); for a sequence [T, F] use "
                "matmul(x, param) or take one step first");
  static constexpr bool ok = Shape::rank == 1;
};
}  // namespace detail

/// A fully connected layer named Name (or dense_1, dense_2, ... by position).
/// `dense<20, "attention_vec">(x, activation::softmax)`; `torch_init{}` for PyTorch's initialisation.
template <std::size_t Out, fixed_string Name = "", node X, class Activation = activation::linear_t,
          class Init = keras_init>
constexpr auto dense(X x, Activation act = {}, Init = {}) {
  if constexpr (!detail::check_dense_input<typename X::shape>::ok) {
    return x;
  } else {
    constexpr std::size_t In = X::shape::dims[0];
    using owner = std::conditional_t<Name.empty(), anonymous_owner<dense_kind, detail::type_hash<X>(), shape<Out>, Activation, Init>,
                                     named_owner<Name>>;
    constexpr param_node<owner, "kernel", shape<In, Out>, typename Init::template kernel<In, Out>> kernel{};
    constexpr param_node<owner, "bias", shape<Out>, typename Init::template bias<In, Out>> bias{};
    return layer_node<dense_kind, owner, decltype(act(matmul(x, kernel) + bias))>{};
  }
}

}  // namespace ctgraph
