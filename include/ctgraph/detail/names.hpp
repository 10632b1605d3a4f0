// Names are identity: a layer the user named keeps its name; an unnamed one is
// named by kind and position, as Keras does (dense_1, dense_2, ... in data-flow
// order). Parameters are "<layer>.<local>" (attention_vec.kernel).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "ctgraph/detail/plan.hpp"

namespace ctgraph::detail {

template <class Layers>
struct names {
  using layers = Layers;
  static constexpr std::size_t count = layers::size;

  static constexpr auto prefixes = []<class... L>(type_list<L...>*) {
    return std::array<std::string_view, sizeof...(L)>{L::kind::prefix...};
  }(static_cast<layers*>(nullptr));
  static constexpr auto given = []<class... L>(type_list<L...>*) {
    return std::array<std::string_view, sizeof...(L)>{L::owner::name...};
  }(static_cast<layers*>(nullptr));
  /// 1-based position of an unnamed layer among the unnamed ones of its kind.
  static constexpr auto positions = [] {
    std::array<std::size_t, count> out{};
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t n = 1;
      for (std::size_t j = 0; j < i; ++j) n += given[j].empty() && prefixes[j] == prefixes[i];
      out[i] = n;
    }
    return out;
  }();

  static constexpr bool is_name_of(std::size_t i, std::string_view name) {
    if (!given[i].empty()) return given[i] == name;
    const std::string_view p = prefixes[i];
    if (name.size() <= p.size() + 1 || name.substr(0, p.size()) != p || name[p.size()] != '_') return false;
    std::size_t number = 0;
    for (char ch : name.substr(p.size() + 1)) {
      if (ch < '0' || ch > '9') return false;
      number = number * 10 + std::size_t(ch - '0');
    }
    return number == positions[i];
  }
  /// Index into `layers` of the layer called `name`; `count` when none is.
  static constexpr std::size_t find(std::string_view name) {
    for (std::size_t i = 0; i < count; ++i)
      if (is_name_of(i, name)) return i;
    return count;
  }

  static std::string layer_name(std::size_t i) {
    if (!given[i].empty()) return std::string(given[i]);
    return std::string(prefixes[i]) + "_" + std::to_string(positions[i]);
  }
  template <class Owner>
  static std::string owner_name() {
    if constexpr (!Owner::name.empty()) {
      return std::string(Owner::name);
    } else {
      std::size_t i = 0, found = count;
      for_each_type<layers>([&]<class L>() {
        if (std::is_same_v<typename L::owner, Owner> && found == count) found = i;
        ++i;
      });
      return layer_name(found);
    }
  }
  template <class Param>
  static std::string param_name() {
    // Appended in place: g++ 12's -Warray-bounds misreads the inlined temporaries of a + "." + b
    // (a false positive at -O3 in a test that reaches this through fit's divergence message).
    std::string name = owner_name<typename Param::owner>();
    name += '.';
    name += Param::local_name;
    return name;
  }
};

}  // namespace ctgraph::detail
