// p = a trained parameter    p: [Dims...], shared by every sample of a batch
// backward: dp accumulates the gradient of every use, summed over the batch.
#pragma once

#include <cstdint>

#include "ctgraph/fixed_string.hpp"
#include "ctgraph/nn/init.hpp"
#include "ctgraph/node.hpp"

namespace ctgraph {

/// The layer a parameter belongs to, named by the user.
template <fixed_string Name>
struct named_owner {
  static constexpr std::string_view name = Name.view();
};

/// An unnamed layer: its identity is the call that made it (kind, sizes, activation,
/// and a hash of its input's type: the input itself would double the type's
/// length with every layer), and it is named by position (`dense_1`, ...) when
/// the graph is planned.
template <class Kind, std::uint64_t InputHash, class... Key>
struct anonymous_owner {
  static constexpr std::string_view name = "";
};

namespace detail {
template <class T>
constexpr std::string_view type_signature() {
  return __PRETTY_FUNCTION__;
}
/// FNV-1a of the compiler's spelling of T.
template <class T>
constexpr std::uint64_t type_hash() {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : type_signature<T>()) h = (h ^ std::uint64_t(static_cast<unsigned char>(c))) * 0x100000001b3ULL;
  return h;
}
}  // namespace detail

/// Identity is (Owner, Local): the same name used twice is the same parameter.
template <class Owner, fixed_string Local, class Shape, class Init>
struct param_node {
  using shape = Shape;
  using children = type_list<>;
  using owner = Owner;
  using init = Init;
  static constexpr std::string_view local_name = Local.view();
  static constexpr bool is_param = true;
  static constexpr std::size_t flops = 0;
};

/// A free parameter, for user-written layers: `param<"attention", "W", shape<2, 1>>(random_normal<>{})`.
template <fixed_string Owner, fixed_string Local, class Shape, class Init>
constexpr auto param(Init) {
  static_assert(!Owner.empty() && !Local.empty(), "ctgraph: param<owner, name>: a free parameter needs both names");
  // An initialiser that takes only some shapes says so here, where the parameter is made: the error
  // then names this call, not the model's initialisation of every parameter (and is not repeated there).
  if constexpr (requires { Init::template accepts<Shape>(); }) {
    if constexpr (!Init::template accepts<Shape>())
      return param_node<named_owner<Owner>, Local, Shape, zeros>{};
    else
      return param_node<named_owner<Owner>, Local, Shape, Init>{};
  } else {
    return param_node<named_owner<Owner>, Local, Shape, Init>{};
  }
}

}  // namespace ctgraph
