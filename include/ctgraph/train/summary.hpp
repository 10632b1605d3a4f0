// Keras' model.summary(): one row per input, layer and op outside a layer, in
// data-flow order, with output shape, parameter count and what feeds it. Read
// from the graph as the user wrote it (before fusion).
#pragma once

#include <algorithm>
#include <cctype>
#include <ostream>
#include <string>
#include <vector>

#include "ctgraph/detail/names.hpp"
#include "ctgraph/detail/plan.hpp"

namespace ctgraph {

namespace detail {

template <class N, class Owner>
struct uses_owner;
template <class List, class Owner>
struct any_uses_owner;
template <class... Ts, class Owner>
struct any_uses_owner<type_list<Ts...>, Owner> : std::bool_constant<(uses_owner<Ts, Owner>::value || ...)> {};
template <class N, class Owner>
struct uses_owner : any_uses_owner<typename N::children, Owner> {};
template <class N, class Owner>
  requires is_param<N>::value
struct uses_owner<N, Owner> : std::is_same<typename N::owner, Owner> {};

// Nodes a layer is made of: those below it that use its own parameters (its
// input, and all below that, use none of them).
template <class N, class Owner, class Seen,
          bool Stop = is_layer<N>::value || !uses_owner<N, Owner>::value || is_param<N>::value || contains<Seen, N>>
struct interior {
  using type = Seen;
};
template <class Owner, class Seen, class Children>
struct interior_children;
template <class Owner, class Seen>
struct interior_children<Owner, Seen, type_list<>> {
  using type = Seen;
};
template <class Owner, class Seen, class C, class... Cs>
struct interior_children<Owner, Seen, type_list<C, Cs...>> {
  using type = typename interior_children<Owner, typename interior<C, Owner, Seen>::type, type_list<Cs...>>::type;
};
template <class N, class Owner, class Seen>
struct interior<N, Owner, Seen, false> {
  using type = typename interior_children<Owner, typename push_back_unique<Seen, N>::type, typename N::children>::type;
};

template <class Nodes>
struct layer_interiors {
  using type = type_list<>;
};
template <class N, class Rest, bool = is_layer<N>::value>
struct add_interior {
  using type = Rest;
};
template <class N, class Rest>
struct add_interior<N, Rest, true> {
  using type = typename interior<typename N::inner, typename N::owner, Rest>::type;
};
template <class N, class... Ns>
struct layer_interiors<type_list<N, Ns...>> {
  using type = typename add_interior<N, typename layer_interiors<type_list<Ns...>>::type>::type;
};

template <class Graph>
struct summary_rows {
  using nodes = typename collect<Graph, type_list<>>::type;
  using owned = typename layer_interiors<nodes>::type;
  template <class N>
  struct is_row : std::bool_constant<!is_param<N>::value && !contains<owned, N>> {};
  using rows = typename filter<nodes, is_row>::type;
  using layer_names = names<typename filter<nodes, is_layer>::type>;

  template <class R>
  static std::string name() {
    if constexpr (is_layer<R>::value) {
      return layer_names::template owner_name<typename R::owner>();
    } else {
      // inputs and free ops: kind and position among rows of the same kind (input_1, multiply_1)
      std::size_t position = 0, seen = 0;
      for_each_type<rows>([&]<class Q>() {
        if (!is_layer<Q>::value && type_name<Q>() == type_name<R>()) {
          ++seen;
          if (std::is_same_v<Q, R>) position = seen;
        }
      });
      std::string base(is_input<R>::value ? std::string_view("input") : type_name<R>());
      std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return std::tolower(c); });
      return base + "_" + std::to_string(position);
    }
  }

  // The rows that feed R: its children, looking through the nodes a layer is made of.
  template <class N>
  static void sources(std::vector<std::string>& out) {
    for_each_type<typename N::children>([&]<class C>() {
      if constexpr (is_param<C>::value) {
      } else if constexpr (contains<rows, C>) {
        if (std::find(out.begin(), out.end(), name<C>()) == out.end()) out.push_back(name<C>());
      } else {
        sources<C>(out);
      }
    });
  }

  template <class R>
  static std::size_t parameters() {
    if constexpr (!is_layer<R>::value) {
      return 0;
    } else {
      // A shared layer's parameters are counted on its first use.
      bool first = false, found = false;
      for_each_type<rows>([&]<class Q>() {
        if constexpr (is_layer<Q>::value)
          if (!found && std::is_same_v<typename Q::owner, typename R::owner>) found = true, first = std::is_same_v<Q, R>;
      });
      std::size_t n = 0;
      if (first)
        for_each_type<nodes>([&]<class P>() {
          if constexpr (is_param<P>::value)
            if (std::is_same_v<typename P::owner, typename R::owner>) n += P::shape::size;
        });
      return n;
    }
  }
};

inline std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s + ' ';
}

}  // namespace detail

/// Prints a Keras-style summary of the model type M (a ctgraph::model<...>).
template <class M>
void summary(std::ostream& os, std::string_view title) {
  using info = detail::summary_rows<typename M::graph>;
  const std::string rule(98, '_'), double_rule(98, '=');
  os << "Model: \"" << title << "\"\n" << rule << '\n';
  os << detail::pad(" Layer (type)", 34) << detail::pad("Output Shape", 22) << detail::pad("Param #", 11)
     << "Connected to\n"
     << double_rule << '\n';
  detail::for_each_type<typename info::rows>([&]<class R>() {
    std::vector<std::string> from;
    info::template sources<R>(from);
    std::string joined, label = " ";
    for (const auto& f : from) joined.append(joined.empty() ? "" : ", ").append(f);
    label.append(info::template name<R>()).append(" (").append(type_name<R>()).append(")");
    os << detail::pad(label, 34)
       << detail::pad(shape_string<typename R::shape>(), 22)
       << detail::pad(detail::thousands(info::template parameters<R>()), 11) << joined << '\n';
  });
  os << double_rule << '\n'
     << "Total params: " << detail::thousands(M::parameter_count) << '\n'
     << "Trainable params: " << detail::thousands(M::parameter_count) << '\n'
     << "Non-trainable params: 0\n"
     << "FLOPs per sample: " << detail::thousands(M::forward_flops) << " forward, "
     << detail::thousands(M::training_flops) << " per training step\n"
     << "Workspace at batch " << M::batch_size << ": " << detail::thousands(M::workspace_bytes) << " bytes\n"
     << rule << '\n';
}

}  // namespace ctgraph
