// y = e: a named boundary around the nodes a layer function composed.
// It stores nothing of its own (its value is e's); it is what summary() lists,
// what probe<"name"> reads, and what names the parameters inside it.
#pragma once

#include "ctgraph/node.hpp"
#include "ctgraph/ops/param.hpp"

namespace ctgraph {

template <class Kind, class Owner, node E>
struct layer_node {
  using shape = typename E::shape;
  using children = type_list<E>;
  using kind = Kind;
  using owner = Owner;
  using inner = E;
  static constexpr bool is_layer = true;
  static constexpr std::string_view type_name = Kind::type_name;
  static constexpr std::size_t flops = 0;
  static constexpr std::size_t backward_flops = 0;
  template <class... C>
  using with_children = layer_node<Kind, Owner, C...>;
};

/// The kind of a layer a user composed: summary() shows it as "Layer".
struct custom_kind {
  static constexpr std::string_view type_name = "Layer", prefix = "layer";
};

/// Marks an expression as the layer called Name, so that summary() lists it and
/// probe<Name>() reads it. Parameters created with param<Name, ...> are its own.
template <fixed_string Name, class Kind = custom_kind, node E>
constexpr auto named_layer(E) {
  return layer_node<Kind, named_owner<Name>, E>{};
}

}  // namespace ctgraph
