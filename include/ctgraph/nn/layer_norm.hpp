// LayerNormalization (Keras) / LayerNorm (PyTorch) over the last axis:
//   y = gamma (x - mean) / sqrt(var + epsilon) + beta     x, y: [..., N]   gamma: [N] ones   beta: [N] zeros
// epsilon: PyTorch's 1e-5 by default; Keras' is 1e-3 (layer_norm<"", keras_layer_norm_epsilon>).
#pragma once

#include "ctgraph/nn/init.hpp"
#include "ctgraph/ops/layer.hpp"
#include "ctgraph/ops/layer_norm.hpp"
#include "ctgraph/ops/param.hpp"

namespace ctgraph {

struct layer_norm_kind {
  static constexpr std::string_view type_name = "LayerNormalization", prefix = "layer_normalization";
};

inline constexpr double torch_layer_norm_epsilon = 1e-5;
inline constexpr double keras_layer_norm_epsilon = 1e-3;

/// Normalises each sample's last axis, then scales by gamma and shifts by beta (both learned).
template <fixed_string Name = "", real Epsilon = torch_layer_norm_epsilon, node X>
constexpr auto layer_norm(X) {
  static_assert(X::shape::rank >= 1, "ctgraph: layer_norm(x): x must have an axis to normalise (rank 1 or more)");
  static_assert(Epsilon > 0, "ctgraph: layer_norm<name, epsilon>: epsilon must be positive");
  constexpr std::size_t N = X::shape::dim_from_back(0);
  using owner = std::conditional_t<Name.empty(), anonymous_owner<layer_norm_kind, detail::type_hash<X>(), shape<N>>,
                                   named_owner<Name>>;
  using gamma = param_node<owner, "gamma", shape<N>, ones>;
  using beta = param_node<owner, "beta", shape<N>, zeros>;
  return layer_node<layer_norm_kind, owner, layer_norm_node<Epsilon, X, gamma, beta>>{};
}

}  // namespace ctgraph
