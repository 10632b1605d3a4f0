// Keras' model.summary(): one row per input, layer and op outside a layer, in
// data-flow order, with output shape, parameter count and what feeds it. Read
// from the graph as the user wrote it (before fusion).
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ctgraph/detail/compiled.hpp"
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

/// One row of a summary as the printer reads it: plain values, no types, so that the printing
/// (strings, padding, the stream) is compiled once, not once per row of every model.
struct summary_row {
  std::string layer_name;  // a layer's name (dense_1, attention_vec); empty for an input or a free op
  std::string_view type;   // Dense, InputLayer, Multiply
  bool input = false;
  std::string shape;  // (None, 4)
  std::size_t parameters = 0;
  std::vector<std::size_t> sources;  // the rows that feed it, by index
};

struct summary_totals {
  std::size_t parameters, forward_flops, training_flops, batch, workspace_bytes;
};

/// Up to Max row indices, without repeats: the rows a row reads.
template <std::size_t Max>
struct row_indices {
  std::array<std::size_t, Max> at{};
  std::size_t count = 0;
  constexpr void add(std::size_t i) {
    for (std::size_t k = 0; k < count; ++k)
      if (at[k] == i) return;
    at[count++] = i;
  }
};

template <class Graph>
struct summary_rows {
  using nodes = typename collect<Graph, type_list<>>::type;
  using owned = typename layer_interiors<nodes>::type;
  template <class N>
  struct is_row : std::bool_constant<!is_param<N>::value && !contains<owned, N>> {};
  using rows = typename filter<nodes, is_row>::type;
  using layer_names = names<typename filter<nodes, is_layer>::type>;

  // The rows that feed N: its children, looking through the nodes a layer is made of.
  template <class N>
  static constexpr void add_sources(row_indices<rows::size>& out) {
    for_each_type<typename N::children>([&]<class C>() {
      if constexpr (is_param<C>::value) {
      } else if constexpr (contains<rows, C>) {
        out.add(index_of<rows, C>::value);
      } else {
        add_sources<C>(out);
      }
    });
  }
  template <class R>
  static constexpr row_indices<rows::size> sources = [] {
    row_indices<rows::size> out;
    add_sources<R>(out);
    return out;
  }();

  template <class R>
  static constexpr std::size_t parameters = [] {
    if constexpr (!is_layer<R>::value) {
      return std::size_t{0};
    } else {
      // A shared layer's parameters are counted on its first use.
      bool first = false, found = false;
      for_each_type<rows>([&]<class Q>() {
        if constexpr (is_layer<Q>::value)
          if (!found && std::is_same_v<typename Q::owner, typename R::owner>)
            found = true, first = std::is_same_v<Q, R>;
      });
      std::size_t n = 0;
      if (first)
        for_each_type<nodes>([&]<class P>() {
          if constexpr (is_param<P>::value)
            if (std::is_same_v<typename P::owner, typename R::owner>) n += P::shape::size;
        });
      return n;
    }
  }();

  template <class R>
  static summary_row row() {
    summary_row out{.layer_name = {},
                    .type = type_name<R>(),
                    .input = is_input<R>::value,
                    .shape = shape_string<typename R::shape>(),
                    .parameters = parameters<R>,
                    .sources = {}};
    if constexpr (is_layer<R>::value) out.layer_name = layer_names::template owner_name<typename R::owner>();
    out.sources.assign(sources<R>.at.begin(), sources<R>.at.begin() + sources<R>.count);
    return out;
  }
  static std::vector<summary_row> table() {
    return
        []<class... R>(type_list<R...>*) { return std::vector<summary_row>{row<R>()...}; }(static_cast<rows*>(nullptr));
  }
};

/// Prints the table of `rows` as Keras' model.summary() does, with ctgraph's totals below it.
CTGRAPH_DECL void print_summary(std::ostream& os, std::string_view title, const std::vector<summary_row>& rows,
                                const summary_totals& totals);

#if CTGRAPH_DEFINE_HERE
CTGRAPH_DECL std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

CTGRAPH_DECL std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s + ' ';
}

CTGRAPH_DECL void print_summary(std::ostream& os, std::string_view title, const std::vector<summary_row>& rows,
                                const summary_totals& totals) {
  // An input or a free op is named by its kind and its position among the rows of that kind
  // (input_1, multiply_1); a layer by its own name.
  std::vector<std::string> names;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].layer_name.empty()) {
      names.push_back(rows[i].layer_name);
      continue;
    }
    std::size_t position = 0;
    for (std::size_t j = 0; j <= i; ++j) position += rows[j].layer_name.empty() && rows[j].type == rows[i].type;
    std::string base(rows[i].input ? std::string_view("input") : rows[i].type);
    std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return std::tolower(c); });
    names.push_back(base + "_" + std::to_string(position));
  }
  const std::string rule(98, '_'), double_rule(98, '=');
  os << "Model: \"" << title << "\"\n" << rule << '\n';
  os << pad(" Layer (type)", 34) << pad("Output Shape", 22) << pad("Param #", 11) << "Connected to\n"
     << double_rule << '\n';
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> from;  // by name: two uses of a shared layer are one source
    for (std::size_t s : rows[i].sources)
      if (std::find(from.begin(), from.end(), names[s]) == from.end()) from.push_back(names[s]);
    std::string joined, label = " ";
    for (const auto& f : from) joined.append(joined.empty() ? "" : ", ").append(f);
    label.append(names[i]).append(" (").append(rows[i].type).append(")");
    os << pad(label, 34) << pad(rows[i].shape, 22) << pad(thousands(rows[i].parameters), 11) << joined << '\n';
  }
  os << double_rule << '\n'
     << "Total params: " << thousands(totals.parameters) << '\n'
     << "Trainable params: " << thousands(totals.parameters) << '\n'
     << "Non-trainable params: 0\n"
     << "FLOPs per sample: " << thousands(totals.forward_flops) << " forward, " << thousands(totals.training_flops)
     << " per training step\n"
     << "Workspace at batch " << totals.batch << ": " << thousands(totals.workspace_bytes) << " bytes\n"
     << rule << '\n';
}
#endif  // CTGRAPH_DEFINE_HERE

}  // namespace detail

/// Prints a Keras-style summary of the model type M (a ctgraph::model<...>).
template <class M>
void summary(std::ostream& os, std::string_view title) {
  detail::print_summary(os, title, detail::summary_rows<typename M::graph>::table(),
                        {M::parameter_count, M::forward_flops, M::training_flops, M::batch_size, M::workspace_bytes});
}

}  // namespace ctgraph
