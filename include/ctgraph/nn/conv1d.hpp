// Conv1D (Keras; PyTorch's Conv1d with channels last): y = activation(conv1d(x, kernel) + bias)
//   x: [T, C]   kernel: [Kernel, C, Filters] glorot_uniform (fan_in = Kernel C, fan_out = Kernel Filters)
//   bias: [Filters] zeros   y: [T', Filters], T' as in ops/conv1d.hpp
#pragma once

#include "ctgraph/nn/activation.hpp"
#include "ctgraph/nn/init.hpp"
#include "ctgraph/ops/conv1d.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/param.hpp"

namespace ctgraph {

struct conv1d_kind {
  static constexpr std::string_view type_name = "Conv1D", prefix = "conv1d";
};

/// Keras' glorot_uniform for a convolution kernel [K, C, F]: fans scaled by the receptive field K.
struct glorot_uniform_conv {
  static constexpr std::string_view name = "glorot_uniform";
  template <class Shape, class S>
  static void fill(S* p, random_engine& rng) {
    const double fan_in = double(Shape::dims[0] * Shape::dims[1]), fan_out = double(Shape::dims[0] * Shape::dims[2]);
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    for (std::size_t i = 0; i < Shape::size; ++i) p[i] = S(rng.uniform(-limit, limit));
  }
};

namespace detail {
template <std::size_t Kernel, std::size_t Stride, padding Pad, class Shape>
struct check_conv1d {
  static_assert(Shape::rank == 2, "ctgraph: conv1d<filters, kernel>(x): x must be a sequence [steps, channels] per sample");
  static_assert(Shape::rank != 2 || Pad == padding::same || Kernel <= Shape::dims[0],
                "ctgraph: conv1d<filters, kernel>(x): with valid padding the kernel must not be longer than the sequence");
  static_assert(Kernel > 0 && Stride > 0, "ctgraph: conv1d<filters, kernel, stride>: kernel and stride must be at least 1");
  static constexpr bool ok = Shape::rank == 2 && (Pad == padding::same || Kernel <= Shape::dims[0]) && Kernel > 0 && Stride > 0;
};
}  // namespace detail

/// Filters filters of Kernel steps sliding by Stride over a sequence [T, C]: conv1d<32, 3>(x, activation::relu).
template <std::size_t Filters, std::size_t Kernel, std::size_t Stride = 1, padding Padding = padding::valid,
          fixed_string Name = "", node X, class Activation = activation::linear_t>
constexpr auto conv1d(X x, Activation act = {}) {
  if constexpr (!detail::check_conv1d<Kernel, Stride, Padding, typename X::shape>::ok) {
    return x;
  } else {
    constexpr std::size_t C = X::shape::dims[1];
    using owner = std::conditional_t<Name.empty(),
                                     anonymous_owner<conv1d_kind, detail::type_hash<X>(), shape<Filters, Kernel, Stride>,
                                                     std::integral_constant<padding, Padding>, Activation>,
                                     named_owner<Name>>;
    using kernel = param_node<owner, "kernel", shape<Kernel, C, Filters>, glorot_uniform_conv>;
    using bias = param_node<owner, "bias", shape<Filters>, zeros>;
    return layer_node<conv1d_kind, owner, decltype(act(conv1d_node<Stride, Padding, X, kernel, bias>{}))>{};
  }
}

}  // namespace ctgraph
