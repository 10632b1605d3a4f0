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

namespace detail {
template <class T>
inline constexpr bool is_named_owner = false;
template <fixed_string Name>
inline constexpr bool is_named_owner<named_owner<Name>> = true;
template <class T>
inline constexpr bool is_dense_init = requires { typename T::template kernel<1, 1>; };

/// The first of Options that Pick accepts, or Default.
template <template <class> class Pick, class Default, class... Options>
struct pick_option {
  using type = Default;
};
template <template <class> class Pick, class Default, class O, class... Options>
struct pick_option<Pick, Default, O, Options...>
    : std::conditional_t<Pick<O>::value, std::type_identity<O>, pick_option<Pick, Default, Options...>> {};

template <class T>
struct is_dense_name : std::bool_constant<is_named_owner<T>> {};
template <class T>
struct is_dense_init_option : std::bool_constant<is_dense_init<T>> {};
template <class T>
struct is_activation_option : std::bool_constant<!is_named_owner<T> && !is_dense_init<T>> {};

template <std::size_t Out, class X, class... Options>
struct dense_parts {
  using activation = typename pick_option<is_activation_option, activation::linear_t, Options...>::type;
  using init = typename pick_option<is_dense_init_option, keras_init, Options...>::type;
  using name = typename pick_option<is_dense_name, void, Options...>::type;
  static constexpr std::size_t in = X::shape::dims[0];
  using owner = std::conditional_t<std::is_void_v<name>,
                                   anonymous_owner<dense_kind, type_hash<X>(), shape<Out>, activation, init>, name>;
  using kernel = param_node<owner, "kernel", shape<in, Out>, typename init::template kernel<in, Out>>;
  using bias = param_node<owner, "bias", shape<Out>, typename init::template bias<in, Out>>;
  using body = decltype(activation{}(matmul(X{}, kernel{}) + bias{}));
};
}  // namespace detail

/// The node dense() makes. Its type is spelled as the call: units, input, then only what differs
/// from the defaults (activation, initialiser, named_owner<name>), not the subgraph it stands for,
/// so that a compiler's message naming a graph stays short (compilers print what was written).
template <std::size_t Out, node X, class... Options>
struct dense_layer : layer_node<dense_kind, typename detail::dense_parts<Out, X, Options...>::owner,
                                typename detail::dense_parts<Out, X, Options...>::body> {};

/// A fully connected layer named Name (or dense_1, dense_2, ... by position).
/// `dense<20, "attention_vec">(x, activation::softmax)`; `torch_init{}` for PyTorch's initialisation.
template <std::size_t Out, fixed_string Name = "", node X, class Activation = activation::linear_t,
          class Init = keras_init>
constexpr auto dense(X x, Activation = {}, Init = {}) {
  if constexpr (!detail::check_dense_input<typename X::shape>::ok) {
    return x;
  } else {
    using activation_option = std::conditional_t<std::is_same_v<Activation, activation::linear_t>, type_list<>, type_list<Activation>>;
    using init_option = std::conditional_t<std::is_same_v<Init, keras_init>, type_list<>, type_list<Init>>;
    using name_option = std::conditional_t<Name.empty(), type_list<>, type_list<named_owner<Name>>>;
    return []<class... A, class... I, class... N>(type_list<A...>, type_list<I...>, type_list<N...>) {
      return dense_layer<Out, X, A..., I..., N...>{};
    }(activation_option{}, init_option{}, name_option{});
  }
}

}  // namespace ctgraph
