// What every node of a graph is: an empty type whose shape (of one sample) and
// children are compile-time facts. Values live in an executor's buffers.
#pragma once

#include <concepts>
#include <string_view>
#include <type_traits>

#include "ctgraph/detail/type_list.hpp"
#include "ctgraph/real.hpp"
#include "ctgraph/shape.hpp"

namespace ctgraph {

using detail::type_list;

/// A graph node: a shape and a list of children, nothing stored.
template <class T>
concept node = std::is_empty_v<T> && is_shape<typename T::shape> && requires { typename T::children; };

namespace detail {
template <class T>
struct is_input : std::bool_constant<requires { requires T::is_input; }> {};
template <class T>
struct is_param : std::bool_constant<requires { requires T::is_param; }> {};
template <class T>
struct is_layer : std::bool_constant<requires { requires T::is_layer; }> {};
template <class T>
struct is_elementwise : std::bool_constant<requires { requires T::is_elementwise; }> {};
/// A leaf that wants its gradient (a recurrence's step input and state, read back through time).
template <class T>
struct wants_grad : std::bool_constant<requires { requires T::wants_grad; }> {};

template <class List>
struct any_batched;
template <class T>
struct batched;
template <class... Ts>
struct any_batched<type_list<Ts...>> : std::bool_constant<(batched<Ts>::value || ...)> {};
template <class T>
struct batched : std::bool_constant<is_input<T>::value || any_batched<typename T::children>::value> {};

template <class List>
struct any_needs_grad;
template <class T>
struct needs_grad;
template <class... Ts>
struct any_needs_grad<type_list<Ts...>> : std::bool_constant<(needs_grad<Ts>::value || ...)> {};
template <class T>
struct needs_grad : std::bool_constant<is_param<T>::value || wants_grad<T>::value || any_needs_grad<typename T::children>::value> {};
}  // namespace detail

/// True when a node's value differs per sample (it depends on an input).
template <class T>
inline constexpr bool is_batched = detail::batched<T>::value;

/// True when a gradient must flow into the node (a parameter lies below it).
template <class T>
inline constexpr bool needs_grad = detail::needs_grad<T>::value;

/// Keras' name for a kind of node, shown by summary(); primitives default to their op.
template <class T>
constexpr std::string_view type_name() {
  if constexpr (requires { T::type_name; })
    return T::type_name;
  else
    return "Op";
}

}  // namespace ctgraph
